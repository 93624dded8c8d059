import type { openApiDocument } from "@wharf/api";

type Document = Awaited<ReturnType<typeof openApiDocument>>;
interface Operation {
  summary?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; description?: string }[];
  requestBody?: unknown;
}

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A plain reference page for the REST API, rendered from the same document clients read (no script, no outside assets). */
export function renderApiDocs(document: Document): string {
  const rows: string[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(item as Record<string, Operation>)) {
      const params = (operation.parameters ?? []).map((p) => `<code>${escape(p.name)}</code> (${escape(p.in)}${p.required ? ", required" : ""})`).join(", ");
      rows.push(
        `<section><h2><span class="m">${escape(method.toUpperCase())}</span> <code>${escape(path)}</code></h2><p>${escape(operation.summary ?? "")}</p>` +
          (params ? `<p>Parameters: ${params}</p>` : "") +
          (operation.requestBody ? "<p>JSON body: see the schema in the document.</p>" : "") +
          `</section>`,
      );
    }
  }
  const base = document.servers?.[0]?.url ?? "";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Wharf REST API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111}code{background:#f2f2f2;padding:0 .25rem}.m{display:inline-block;min-width:4.5rem;font-family:monospace}h2{font-size:1.05rem;margin:1.5rem 0 .25rem}</style></head>
<body><main><h1>Wharf REST API</h1><p>${escape(document.info.description ?? "")}</p>
<p>Base URL: <code>${escape(base)}</code>. Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI ${escape(document.openapi)}).</p>
${rows.join("\n")}</main></body></html>`;
}

/**
 * Docker's image reference grammar (distribution/reference): what the daemon
 * accepts as `name[:tag][@digest]`. Checked before a reference goes into an
 * Engine API path, where a space or a quote breaks the request itself.
 */
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
const REFERENCE = new RegExp(`^(${NAME})(?::${TAG})?(?:@${DIGEST})?$`);
const NAME_MAX = 255;

/** Null for a valid reference, else Docker's words for what is wrong with it. */
export function imageReferenceProblem(ref: string): string | null {
  const match = REFERENCE.exec(ref);
  if (match === null) {
    return REFERENCE.test(ref.toLowerCase()) ? "invalid reference format: repository name must be lowercase" : "invalid reference format";
  }
  if ((match[1] ?? "").length > NAME_MAX) return `invalid reference format: repository name must not be more than ${NAME_MAX} characters`;
  return null;
}

/** The registry an image reference names: its first component when that is a host (has . or :, or is localhost), else Docker Hub. */
export function registryOf(ref: string): string {
  const slash = ref.indexOf("/");
  if (slash < 0) return "docker.io";
  const first = ref.slice(0, slash);
  return first.includes(".") || first.includes(":") || first === "localhost" ? first : "docker.io";
}

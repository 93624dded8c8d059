const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Why `name` cannot name a stack (a DNS label, also its compose project name), or null; the server checks the same rule. */
export function stackNameProblem(name: string): string | null {
  if (name.length === 0) return "Name the stack.";
  if (name.length > 63) return "At most 63 characters.";
  if (/[A-Z]/.test(name)) return "Use lowercase letters only.";
  if (/[^a-z0-9-]/.test(name)) return "Only lowercase letters, digits and dashes.";
  if (!LABEL.test(name)) return "Start and end with a letter or digit.";
  return null;
}

/** The only module of the command reading process.env: WHARF_URL, WHARF_TOKEN, WHARF_CONFIG and XDG_CONFIG_HOME. */
export function processEnv(): NodeJS.ProcessEnv {
  return process.env;
}

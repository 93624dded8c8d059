# Sourced by the sandbox scripts: where this machine's Debian archive is, read
# from its own apt sources (never a hard-coded mirror).

# The archive URI of the machine's own Debian source (the stanza that carries
# its release codename), so the trixie list uses the same mirror.
debian_archive_uri() {
  local codename="$1" file
  for file in /etc/apt/sources.list.d/*.sources; do
    [[ -f "$file" ]] || continue
    # deb822: blank lines separate stanzas; pick the first stanza whose
    # Suites field contains exactly the codename.
    awk -v want="$codename" '
      function flush() {
        if (uri != "" && hit) { print uri; found = 1; exit }
        uri = ""; hit = 0
      }
      /^[[:space:]]*$/ { flush(); next }
      tolower($1) == "uris:" { uri = $2 }
      tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == want) hit = 1 }
      END { if (!found) flush() }
    ' "$file" | head -n 1
  done | head -n 1
  # One-line format fallback.
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "$file" ]] || continue
    awk -v want="$codename" '
      $1 == "deb" {
        i = 2
        if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if ($(i + 1) == want) { print $i; exit }
      }
    ' "$file"
  done | head -n 1
}

# The archive URI of this machine's release, or a message on stderr and status 1.
machine_archive_uri() {
  local codename uri
  codename="$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release | tr -d '"')"
  [[ -n "$codename" ]] || { echo "cannot read VERSION_CODENAME from /etc/os-release" >&2; return 1; }
  uri="$(debian_archive_uri "$codename" | head -n 1)"
  [[ -n "$uri" ]] || { echo "no Debian source for suite '$codename' found in /etc/apt" >&2; return 1; }
  printf '%s\n' "$uri"
}

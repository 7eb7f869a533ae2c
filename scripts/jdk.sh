# Sourced by whittle's scripts: find_jdk prints the home of a JDK >= 25 (JAVA_HOME first, then /usr/lib/jvm/*).
java_ok() {
  [ -x "$1/bin/java" ] || return 1
  local v
  v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  [ -n "$v" ] && [ "${v%%.*}" -ge 25 ] 2>/dev/null
}

find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && java_ok "$JAVA_HOME"; then echo "$JAVA_HOME"; return 0; fi
  local d
  for d in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
    d=${d%/}
    if java_ok "$d"; then echo "$d"; return 0; fi
  done
  echo "whittle: no JDK 25 or newer found (set JAVA_HOME, or install one under /usr/lib/jvm)" >&2
  return 1
}

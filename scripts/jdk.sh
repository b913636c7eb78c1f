# Sourced by ./ipcsh and ./ipcsh-test: finds a JDK 25 or newer and sets IPCSH_JAVA_HOME.
# Order: JAVA_HOME when new enough, else the newest under /usr/lib/jvm.

ipcsh_java_major() {
    # prints the feature version of the java at $1/bin/java, or nothing
    # the release file answers without starting a JVM; ask java itself only when it is missing
    local v=""
    if [ -f "$1/release" ]; then
        v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$1/release" | head -n1)
    fi
    if [ -z "$v" ]; then
        v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n1)
    fi
    case "$v" in 1.*) v=${v#1.} ;; esac
    printf '%s' "${v%%.*}"
}

ipcsh_find_jdk() {
    local need=25 cand major best="" best_major=0
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
        major=$(ipcsh_java_major "$JAVA_HOME")
        if [ -n "$major" ] && [ "$major" -ge "$need" ]; then
            IPCSH_JAVA_HOME=$JAVA_HOME
            return 0
        fi
    fi
    for cand in /usr/lib/jvm/*; do
        [ -x "$cand/bin/java" ] && [ -x "$cand/bin/javac" ] || continue
        major=$(ipcsh_java_major "$cand")
        [ -n "$major" ] || continue
        if [ "$major" -ge "$need" ] && [ "$major" -gt "$best_major" ]; then
            best=$cand
            best_major=$major
        fi
    done
    if [ -n "$best" ]; then
        IPCSH_JAVA_HOME=$best
        return 0
    fi
    {
        echo "ipcsh: needs a JDK $need or newer (java and javac)."
        if [ -n "${JAVA_HOME:-}" ]; then
            echo "  JAVA_HOME=$JAVA_HOME is not one (version ${major:-unknown})."
        fi
        echo "  None was found under /usr/lib/jvm either."
        echo "  Install one (e.g. Temurin 25: apt-get install temurin-25-jdk) or point JAVA_HOME at it."
    } >&2
    return 1
}

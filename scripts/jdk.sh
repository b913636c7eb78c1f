# Sourced by ./ipcsh and ./ipcsh-test: finds a JDK 25 or newer and sets IPCSH_JAVA_HOME.
# Order: JAVA_HOME when new enough, else the newest under /usr/lib/jvm.
# Runs on every start of the shell, so it reads the JDKs' release files with bash alone (no
# subshell either) and starts a JVM only for a JDK that has none.

ipcsh_java_major() {
    # sets ipcsh_major to the feature version of the JDK at $1 ("25"), or to nothing
    local v="" line
    if [ -r "$1/release" ]; then
        while IFS= read -r line; do
            case $line in JAVA_VERSION=*) v=${line#JAVA_VERSION=}; v=${v//\"/}; break ;; esac
        done <"$1/release"
    elif [ "${2:-}" = probe ]; then
        v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n1) || v=""
    fi
    case "$v" in 1.*) v=${v#1.} ;; esac
    v=${v%%[!0-9]*}
    ipcsh_major=$v
}

ipcsh_find_jdk() {
    local need=25 cand major best="" best_major=0 pass
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
        ipcsh_java_major "$JAVA_HOME" probe
        major=$ipcsh_major
        if [ -n "$major" ] && [ "$major" -ge "$need" ]; then
            IPCSH_JAVA_HOME=$JAVA_HOME
            return 0
        fi
    fi
    # first the JDKs that say their version in a release file; start java itself only if none fits
    for pass in release probe; do
        for cand in "${IPCSH_JVM_DIR:-/usr/lib/jvm}"/*; do
            [ -x "$cand/bin/java" ] && [ -x "$cand/bin/javac" ] && [ ! -L "$cand" ] || continue
            ipcsh_java_major "$cand" "$pass"
            major=$ipcsh_major
            [ -n "$major" ] || continue
            if [ "$major" -ge "$need" ] && [ "$major" -gt "$best_major" ]; then
                best=$cand
                best_major=$major
            fi
        done
        [ -z "$best" ] || break
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
        echo "  None was found under ${IPCSH_JVM_DIR:-/usr/lib/jvm} either."
        echo "  Install one (e.g. Temurin 25: apt-get install temurin-25-jdk) or point JAVA_HOME at it."
    } >&2
    return 1
}

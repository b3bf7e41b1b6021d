# Finds a Java runtime of at least a given feature release, wherever it is
# installed. Sourced by tools/local-cluster.sh (Keycloak) and
# tools/build-cluster.sh (Maven).
#
#   java_home_for MIN_MAJOR WHAT [VARIABLE]
#
# prints the Java home to use and returns 0, or says on stderr what it found and
# what to install and returns 1. WHAT names what needs it in that message.
# VARIABLE, when given and set, names the only Java home to consider (an
# explicit choice is used or refused, never silently replaced). Otherwise it
# looks, in this order, at $JAVA_HOME, the `java` on PATH, then the usual
# install folders (/usr/lib/jvm/* from Debian, Ubuntu, Fedora and Temurin
# packages, /usr/java/*, /opt/java/*, /opt/jdk*, SDKMAN's and IntelliJ's folders),
# and takes the first that is new enough; among the install folders, the newest.

# Where Java runtimes are usually installed (expanded when this file is sourced).
java_install_dirs=(/usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*)

# java_major HOME: the feature release of the Java in HOME (8, 17, 21, 25...).
java_major() {
  local home=$1 version=
  [[ -x "$home/bin/java" ]] || return 1
  if [[ -f "$home/release" ]]; then
    version=$(sed -n 's/^JAVA_VERSION="\([^"]*\)"$/\1/p' "$home/release")
  fi
  if [[ -z "$version" ]]; then
    # `java -version` writes e.g. `openjdk version "21.0.5" 2024-10-15` to stderr.
    version=$("$home/bin/java" -version 2>&1) || return 1
    version=${version#*version \"}
    version=${version%%\"*}
  fi
  version=${version#1.} # 1.8.0_412 is Java 8
  version=${version%%[.+_-]*}
  [[ "$version" =~ ^[0-9]+$ ]] || return 1
  echo "$version"
}

java_home_for() {
  local min=$1 what=$2 variable=${3:-} home major real found=() seen=" " best= best_major=0 java pattern
  if [[ -n "$variable" && -n "${!variable:-}" ]]; then
    home=${!variable}
    if major=$(java_major "$home"); then
      ((major >= min)) && { echo "$home"; return 0; }
      echo "$variable=$home is Java $major; $what needs Java $min or newer." >&2
    else
      echo "$variable=$home holds no Java runtime (no bin/java that runs)." >&2
    fi
    return 1
  fi
  # JAVA_HOME and PATH first, in that order: the first new enough wins.
  local preferred=()
  [[ -n "${JAVA_HOME:-}" ]] && preferred+=("$JAVA_HOME")
  java=$(command -v java) && java=$(readlink -f "$java") && preferred+=("${java%/bin/java}")
  for home in "${preferred[@]}"; do
    real=$(readlink -f "$home") || continue
    [[ "$seen" == *" $real "* ]] && continue
    seen+="$real "
    major=$(java_major "$home") || continue
    ((major >= min)) && { echo "$home"; return 0; }
    found+=("$home (Java $major)")
  done
  # Then the usual install folders: the newest new enough.
  for pattern in "${java_install_dirs[@]}"; do
    [[ -d "$pattern" ]] || continue
    real=$(readlink -f "$pattern") || continue
    [[ "$seen" == *" $real "* ]] && continue
    seen+="$real "
    major=$(java_major "$real") || continue
    found+=("$real (Java $major)")
    ((major >= min && major > best_major)) && best=$real && best_major=$major
  done
  if [[ -n "$best" ]]; then
    echo "$best"
    return 0
  fi
  local list="no Java at all"
  ((${#found[@]})) && list=$(printf ', %s' "${found[@]}") && list=${list#, }
  {
    echo "$what needs Java $min or newer; found $list (looked at JAVA_HOME, PATH, /usr/lib/jvm, /usr/java, /opt/java, /opt/jdk*, ~/.sdkman, ~/.jdks)."
    echo "Install one, e.g. 'sudo apt-get install openjdk-$min-jre-headless' (Debian 13, Ubuntu 24.04),"
    echo "'sudo dnf install java-$min-openjdk-headless' (Fedora, RHEL), or Temurin $min from https://adoptium.net;"
    if [[ -n "$variable" ]]; then echo "or point $variable at a Java home of version $min or newer."; fi
  } >&2
  return 1
}

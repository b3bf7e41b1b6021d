import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/*
 * tools/find-java.sh finds a Java runtime new enough for Keycloak (21) or Maven
 * (8) wherever it is installed. Fake Java homes (a bin/java that prints a
 * version, with or without a `release` file) stand in for real ones.
 */
const script = path.resolve(__dirname, "..", "tools", "find-java.sh");
const root = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-find-java-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A Java home: `release` says JAVA_VERSION when given, bin/java -version prints `printed`. */
function javaHome(name: string, printed: string, release?: string): string {
    const home = path.join(root, name);
    fs.mkdirSync(path.join(home, "bin"), { recursive: true });
    fs.writeFileSync(
        path.join(home, "bin", "java"),
        `#!/bin/sh\necho 'openjdk version "${printed}" 2025-01-01' >&2\necho 'OpenJDK Runtime Environment' >&2\n`,
        { mode: 0o755 },
    );
    if (release) fs.writeFileSync(path.join(home, "release"), `IMPLEMENTOR="Test"\nJAVA_VERSION="${release}"\n`);
    return home;
}

const debian17 = javaHome("java-17-openjdk-amd64", "17.0.15", "17.0.15");
const temurin25 = javaHome("temurin-25-jdk-amd64", "25.0.3", "25.0.3");
const openjdk21 = javaHome("java-21-openjdk", "21.0.5"); // no release file
const java8 = javaHome("jdk1.8.0_412", "1.8.0_412", "1.8.0_412");
const early = javaHome("jdk-26-ea", "26-ea");
const notJava = path.join(root, "empty-folder");
fs.mkdirSync(notJava);
/** PATH for the script: only the commands it uses, so the machine's own java stays out of sight. */
const commands = path.join(root, "commands");
fs.mkdirSync(commands);
const bash = spawnSync("bash", ["-c", "command -v bash"], { encoding: "utf8" }).stdout.trim();
for (const command of ["sed", "readlink"]) {
    const found = spawnSync("bash", ["-c", `command -v ${command}`], { encoding: "utf8" }).stdout.trim();
    fs.symlinkSync(found, path.join(commands, command));
}

interface Case {
    min: number;
    /** Value of the explicit variable (KUBE_ACCESS_KEYCLOAK_JAVA_HOME). */
    explicit?: string;
    javaHome?: string;
    /** The home whose bin/java is first on PATH. */
    onPath?: string;
    installed: string[];
}

function find(c: Case): { code: number; stdout: string; stderr: string } {
    const pathDirs = [...(c.onPath ? [path.join(c.onPath, "bin")] : []), commands];
    const env: Record<string, string> = { PATH: pathDirs.join(":"), HOME: root };
    if (c.javaHome) env.JAVA_HOME = c.javaHome;
    if (c.explicit) env.EXPLICIT_JAVA_HOME = c.explicit;
    // Only the fake homes: no java of the machine running the test may take part.
    const result = spawnSync(
        bash,
        [
            "-c",
            `. "$1"; shift; java_install_dirs=("$@"); java_home_for ${c.min} "Keycloak 26.5.6" EXPLICIT_JAVA_HOME`,
            "bash",
            script,
            ...c.installed,
        ],
        { encoding: "utf8", env },
    );
    return { code: result.status ?? -1, stdout: result.stdout.trim(), stderr: result.stderr };
}

const found: [string, Case, string][] = [
    [
        "this machine's layout: PATH has Debian's Java 17, /usr/lib/jvm also has Temurin 25",
        { min: 21, onPath: debian17, installed: [debian17, temurin25] },
        temurin25,
    ],
    [
        "JAVA_HOME new enough wins over a newer one in the install folders",
        { min: 21, javaHome: openjdk21, installed: [temurin25] },
        openjdk21,
    ],
    [
        "JAVA_HOME too old, the java on PATH new enough",
        { min: 21, javaHome: debian17, onPath: openjdk21, installed: [] },
        openjdk21,
    ],
    [
        "JAVA_HOME and PATH too old: the newest in the install folders",
        { min: 21, javaHome: java8, onPath: debian17, installed: [openjdk21, debian17, temurin25, notJava] },
        temurin25,
    ],
    ["a version without a release file, read from java -version", { min: 21, installed: [openjdk21] }, openjdk21],
    ["an early-access version string (26-ea)", { min: 26, installed: [early, temurin25] }, early],
    ["Java 8's 1.8.0_412 counts as 8 (Maven's minimum)", { min: 8, installed: [java8] }, java8],
    ["an explicit home new enough is used as is", { min: 21, explicit: openjdk21, installed: [temurin25] }, openjdk21],
];

test.each(found)("%s", (_label, c, expected) => {
    const result = find(c);
    expect(result).toMatchObject({ code: 0, stdout: expected });
});

const refused: [string, Case, RegExp[]][] = [
    [
        "an explicit home too old is refused, not replaced by another",
        { min: 21, explicit: debian17, installed: [temurin25] },
        [/EXPLICIT_JAVA_HOME=.*java-17-openjdk-amd64 is Java 17; Keycloak 26.5.6 needs Java 21 or newer/],
    ],
    [
        "an explicit folder without Java",
        { min: 21, explicit: notJava, installed: [temurin25] },
        [/EXPLICIT_JAVA_HOME=.*empty-folder holds no Java runtime/],
    ],
    [
        "nothing new enough: every Java found with its version, and what to install",
        { min: 21, javaHome: java8, onPath: debian17, installed: [debian17, notJava] },
        [
            /Keycloak 26.5.6 needs Java 21 or newer; found .*jdk1.8.0_412 \(Java 8\), .*java-17-openjdk-amd64 \(Java 17\) \(looked at/,
            /apt-get install openjdk-21-jre-headless/,
            /Temurin 21 from https:\/\/adoptium.net/,
            /or point EXPLICIT_JAVA_HOME at a Java home of version 21 or newer/,
        ],
    ],
    ["no Java at all", { min: 21, installed: [notJava] }, [/needs Java 21 or newer; found no Java at all/]],
];

test.each(refused)("%s", (_label, c, messages) => {
    const result = find(c);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    for (const message of messages) expect(result.stderr).toMatch(message);
});

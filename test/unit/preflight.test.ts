// Pre-flight (scripts/preflight.sh): what cannot succeed is refused before anything is installed
// or built, and the cached CLI's language host gets the project's runtime options.
//   - The runner (`npm run lab -- up router`, `npm test`) run as a user without root and without
//     sudo (`nobody` through setpriv when the tests run as root, else the current user with a
//     `sudo` that refuses) on a copy of the scripts, a fresh HOME and a fresh cache: the
//     privilege message within seconds, and nothing installed, built or downloaded.
//   - The CLI checks with a stand-in `go` and `pulumi` on PATH: a Go older than the go line of
//     the pinned go.mod, too little disk, an unreachable module proxy; none of it for `list`, or
//     when a recent enough `pulumi` is on PATH.
//   - scripts/pulumi-language-nodejs.sh: the flags it passes for each form of Pulumi.yaml.
// No root needed, no network: the stand-in `go` answers the go.mod question.
import { execa } from "execa";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REPO = resolve(__dirname, "../..");
const PULUMI_VERSION = /^PULUMI_VERSION=(\S+)$/m.exec(readFileSync(join(REPO, "scripts/versions.env"), "utf8"))![1]!;
const isRoot = process.getuid?.() === 0;
const SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

let dir = "";
beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "pulumi-netns-preflight-"));
    chmodSync(dir, 0o755); // the unprivileged user reads the copy of the scripts in here
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An executable shell script at PATH. */
function script(path: string, body: string) {
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
}

/** A new directory under the test's directory, that any user may write. */
function fresh(name: string): string {
    const d = join(dir, name);
    mkdirSync(d, { recursive: true });
    chmodSync(d, 0o777);
    return d;
}

/** Every file and directory under D, relative, for "nothing was made here" assertions. */
function tree(d: string): string[] {
    return existsSync(d) ? readdirSync(d, { recursive: true }).map(String).sort() : [];
}

describe("without root and without sudo, on a fresh cache", () => {
    // A checkout's scripts and package.json: all the runner needs to get to its first decision.
    let repo = "";
    let home = "";
    let cache = "";
    let env: Record<string, string> = {};
    const asUser = async (argv: string[]) => {
        const [uid, gid] = [(await execa("id", ["-u", "nobody"])).stdout, (await execa("id", ["-g", "nobody"])).stdout];
        const prefix = isRoot ? ["setpriv", `--reuid=${uid}`, `--regid=${gid}`, "--clear-groups"] : [];
        const all = [...prefix, ...argv];
        const start = Date.now();
        const r = await execa(all[0]!, all.slice(1), { cwd: repo, env, extendEnv: false, reject: false, timeout: 60_000 });
        return { ...r, stderr: String(r.stderr), stdout: String(r.stdout), seconds: (Date.now() - start) / 1000 };
    };

    beforeAll(() => {
        repo = join(dir, "repo");
        mkdirSync(repo);
        cpSync(join(REPO, "package.json"), join(repo, "package.json"));
        cpSync(join(REPO, "scripts"), join(repo, "scripts"), { recursive: true });
        home = fresh("home");
        cache = fresh("cache");
        const stubs = join(dir, "nosudo");
        mkdirSync(stubs);
        // A sudo that refuses, as for a user without passwordless sudo (real sudo -n says the same).
        script(join(stubs, "sudo"), 'echo "sudo: a password is required" >&2; exit 1');
        // As nobody, the directories of PATH that nobody cannot read are skipped by the shell. npm's
        // own check for a newer npm is off: it is no part of the set-up.
        env = { PATH: `${stubs}:${isRoot ? SYSTEM_PATH : process.env.PATH}`, HOME: home, XDG_CACHE_HOME: cache, LC_ALL: "C", NPM_CONFIG_UPDATE_NOTIFIER: "false" };
    });

    const nothingMade = () => {
        expect(tree(cache), "the cache stays empty: nothing built or downloaded").toEqual([]);
        expect(tree(home).filter((p) => !p.startsWith(".npm/_logs") && p !== ".npm"), "no npm download cache, nothing else in HOME").toEqual([]);
        for (const made of ["node_modules", "dist", ".pulumi-state"]) expect(existsSync(join(repo, made)), `${made} in the checkout`).toBe(false);
    };

    it("npm run lab -- up router: the privilege message within seconds, nothing installed", async () => {
        const r = await asUser(["npm", "run", "lab", "--", "up", "router"]);
        expect(r.exitCode, r.stderr).toBe(1);
        expect(r.stderr).toContain([
            "pre-flight: lessons create network namespaces, which needs root",
            "  To do: run as root (sudo npm run lab -- up router) or allow passwordless sudo; npm run lab -- list works without root.",
        ].join("\n"));
        expect(r.stderr).not.toContain("[setup]");
        expect(r.seconds).toBeLessThan(15);
        nothingMade();
    }, 70_000);

    it("npm test: the privilege message within seconds, nothing installed", async () => {
        const r = await asUser(["npm", "test"]);
        expect(r.exitCode, r.stderr).toBe(1);
        expect(r.stderr).toContain("the integration and end-to-end tests create network namespaces and need root");
        expect(r.stderr).not.toContain("[setup]");
        expect(r.seconds).toBeLessThan(15);
        nothingMade();
    }, 70_000);

    it("the pre-flight of `lab list` and of the unit tests lets them through", async () => {
        for (const args of [["lab", "list"], ["lab"], ["test"]]) {
            env.PULUMI_NETNS_TEST_LAYERS = "unit";
            const r = await asUser(["bash", "scripts/preflight.sh", ...args]);
            delete env.PULUMI_NETNS_TEST_LAYERS;
            expect(r.exitCode, `${args.join(" ")}: ${r.stderr}`).toBe(0);
            expect(r.stderr).toBe("");
        }
        nothingMade();
    }, 70_000);
});

describe("the checks for a CLI build (a stand-in go and pulumi)", () => {
    let stubs = "";
    let cache = "";
    /** Runs the pre-flight with a `go` that reports GOVERSION and answers `go list -m` with LIST
     *  (or fails when LIST is null), and a `pulumi` on PATH that fails unless PULUMI is given. */
    const preflight = async (args: string[], o: { go: string; list: string | null; pulumi?: string; diskMb?: number }) => {
        rmSync(stubs, { recursive: true, force: true });
        mkdirSync(stubs);
        script(join(stubs, "sudo"), "exit 0");
        script(join(stubs, "node"), "echo 22"); // a Node.js recent enough: no Node message
        script(join(stubs, "go"), [
            'case "$1 $2" in',
            `  "env GOVERSION") echo go${o.go} ;;`,
            '  "env GOPROXY") echo https://proxy.invalid ;;',
            o.list === null
                ? '  "list -m") echo "go: github.com/pulumi/pulumi/pkg/v3: dial tcp: lookup proxy.invalid: no such host" >&2; exit 1 ;;'
                : `  "list -m") printf '%s\\n' ${o.list} ;;`,
            '  *) echo "stand-in go: $*" >&2; exit 3 ;;',
            "esac",
        ].join("\n"));
        if (o.pulumi) {
            script(join(stubs, "pulumi"), `echo v${o.pulumi}`);
            script(join(stubs, "pulumi-language-nodejs"), "exit 0");
        } else {
            script(join(stubs, "pulumi"), "exit 1");
        }
        const env: Record<string, string> = { PATH: `${stubs}:${SYSTEM_PATH}`, HOME: dir, PULUMI_NETNS_CACHE: cache, LC_ALL: "C" };
        if (o.diskMb) env.NETNS_BUILD_DISK_MB = String(o.diskMb);
        const r = await execa("bash", [join(REPO, "scripts/preflight.sh"), ...args], { env, extendEnv: false, reject: false });
        return { code: r.exitCode, stderr: String(r.stderr) };
    };
    beforeAll(() => {
        stubs = join(dir, "stubs");
        cache = join(dir, "cli-cache", "pulumi-netns"); // does not exist: free disk is read from its parents
    });
    const install = `or install the Pulumi CLI >= ${PULUMI_VERSION} officially instead (curl -fsSL https://get.pulumi.com | sh`;

    it("a Go older than the go line of the pinned go.mod: which version, from where, or the official install", async () => {
        const r = await preflight(["lab", "up", "router"], { go: "1.20.3", list: "1.25.11 1.18" });
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`pre-flight: Go 1.20.3 is too old to build pulumi v${PULUMI_VERSION}: it needs Go >= 1.25.11`);
        expect(r.stderr).toContain(`(1.25.11 is the go line of github.com/pulumi/pulumi/pkg/v3 v${PULUMI_VERSION}'s go.mod; found ${stubs}/go.)`);
        expect(r.stderr).toContain("To do: install Go >= 1.25.11 from https://go.dev/dl/ and put it first on PATH,");
        expect(r.stderr).toContain(install);
        expect(r.stderr).not.toContain("free disk");
        expect(existsSync(cache), "nothing made in the cache").toBe(false);
    });

    it("the highest go line counts, and a Go exactly that new passes", async () => {
        expect((await preflight(["test"], { go: "1.25.10", list: "1.18 1.25.11" })).stderr).toContain("it needs Go >= 1.25.11");
        expect(await preflight(["test"], { go: "1.25.11", list: "1.18 1.25.11" })).toEqual({ code: 0, stderr: "" });
    });

    it("too little free disk for the build: how much is free, how much it needs, where", async () => {
        const r = await preflight(["lab", "preview", "router"], { go: "1.26.0", list: "1.25.11 1.18", diskMb: 1e9 });
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/^pre-flight: not enough free disk to build the Pulumi CLI: \d+ MB free, the build needs 1000000000 MB$/m);
        expect(r.stderr).toContain(`go under ${cache} (set PULUMI_NETNS_CACHE to use another disk)`);
        expect(r.stderr).toContain(install);
    });

    it("an unreachable module proxy is said before the build starts", async () => {
        const r = await preflight(["lab", "up", "router"], { go: "1.26.0", list: null });
        expect(r.code).toBe(1);
        expect(r.stderr).toContain("pre-flight: cannot read the Go module proxy (GOPROXY=https://proxy.invalid)");
        expect(r.stderr).toContain("lookup proxy.invalid: no such host");
    });

    it("old Go and no disk make both messages at once", async () => {
        const r = await preflight(["lab", "up", "router"], { go: "1.20.3", list: "1.25.11", diskMb: 1e9 });
        expect(r.stderr.match(/^pre-flight: /gm)).toHaveLength(2);
    });

    it("no check when nothing is built: `lab list`, or a recent enough pulumi on PATH", async () => {
        expect(await preflight(["lab", "list"], { go: "1.20.3", list: null, diskMb: 1e9 })).toEqual({ code: 0, stderr: "" });
        expect(await preflight(["lab", "up", "router"], { go: "1.20.3", list: null, diskMb: 1e9, pulumi: "3.999.0" })).toEqual({ code: 0, stderr: "" });
        expect((await preflight(["lab", "up", "router"], { go: "1.20.3", list: null, pulumi: "3.1.0" })).code, "an older pulumi is rebuilt").toBe(1);
    });
});

describe("the language host wrapper (scripts/pulumi-language-nodejs.sh)", () => {
    // The wrapper execs ../libexec/pulumi-language-nodejs: a stand-in that prints its arguments.
    let bin = "";
    beforeAll(() => {
        const cli = join(dir, "cli");
        mkdirSync(join(cli, "bin"), { recursive: true });
        mkdirSync(join(cli, "libexec"));
        bin = join(cli, "bin", "pulumi-language-nodejs");
        cpSync(join(REPO, "scripts/pulumi-language-nodejs.sh"), bin);
        chmodSync(bin, 0o755);
        script(join(cli, "libexec", "pulumi-language-nodejs"), 'for a; do printf "%s\\n" "$a"; done');
    });
    /** The real host's arguments when the CLI starts the wrapper in PROJECT/CWD with the engine's. */
    const argsFor = async (yaml: string | null, cwd = ".", file = "Pulumi.yaml") => {
        const project = mkdtempSync(join(dir, "project-"));
        if (yaml !== null) writeFileSync(join(project, file), yaml);
        mkdirSync(join(project, cwd), { recursive: true });
        const r = await execa(bin, ["--logtostderr", "127.0.0.1:40000"], { cwd: join(project, cwd) });
        return String(r.stdout).split("\n");
    };
    const engine = ["--logtostderr", "127.0.0.1:40000"];

    it.each([
        ["this project's Pulumi.yaml", readFileSync(join(REPO, "Pulumi.yaml"), "utf8"), ["-typescript=false", ...engine]],
        ["no options", "name: p\nruntime: nodejs\n", engine],
        ["typescript: true (the default)", "name: p\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n", engine],
        [
            "quoted values, comments, four-space indent, keys it does not know",
            'name: p # c\nruntime:\n    name: nodejs\n    options:\n        typescript: false # compiled\n        tsconfig: "tsconfig.pulumi.json"\n        nodeargs: \'--max-old-space-size=4000 --no-warnings\'\n        packagemanager: npm\n    other: 1\n',
            ["-typescript=false", "-tsconfig=tsconfig.pulumi.json", "-nodeargs=--max-old-space-size=4000 --no-warnings", ...engine],
        ],
        ["options outside runtime are not the runtime's", "name: p\nruntime:\n  name: nodejs\noptions:\n  typescript: false\n", engine],
        ["no Pulumi.yaml", null, engine],
    ])("%s", async (_name, yaml, expected) => {
        const got = await argsFor(yaml);
        expect(got.filter((a) => a.startsWith("-") && !engine.includes(a)).sort()).toEqual(expected.filter((a) => !engine.includes(a)).sort());
        expect(got.slice(-2), "the CLI's flags and the engine address stay last").toEqual(engine);
    });

    it("finds the project's Pulumi.yml from the program's directory below it", async () => {
        expect(await argsFor("name: p\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n", "dist/stacks", "Pulumi.yml")).toEqual(["-typescript=false", ...engine]);
    });
});

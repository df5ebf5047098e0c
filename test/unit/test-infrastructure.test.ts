// The test infrastructure's own guarantees, without root, namespaces or the Pulumi CLI:
//   - the end of a test file (test/support/lifecycle.ts): the leak check runs before any
//     clean-up, the clean-up runs in full, and the file fails with what leaked and with every
//     failed `pulumi destroy`;
//   - TestStack.dispose() reports a failed destroy (a fake `pulumi` on PATH);
//   - the leak check fails, rather than compares nothing, without the host-sysctl snapshot;
//   - the closing line of npm test (scripts/test-summary.cjs) counts every failure;
//   - npm test refuses an unknown layer, and CI (.ci/run) runs every layer whatever the
//     environment says.
import { execa } from "execa";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { summarize } from "../../scripts/test-summary.cjs";
import { removeState, TestStack } from "../e2e/harness";
import { leaks, type LeakReport } from "../support/host";
import { endOfFile, type EndHost } from "../support/lifecycle";

const none: LeakReport = { namespaces: [], hostLinks: [], sysctls: [] };

/** A host that records what the end of a file did, in order. */
function fakeHost(found: LeakReport, calls: string[]): EndHost {
    return {
        leaks: async (prefix) => { calls.push(`leak check ${prefix}`); return found; },
        removeNamespaces: async (prefix) => { calls.push(`remove namespaces ${prefix}`); return []; },
        removeState: () => { calls.push("remove state"); },
    };
}

const stack = (name: string, calls: string[], fails = false) => ({
    name,
    dispose: async () => {
        calls.push(`dispose ${name}`);
        if (fails) throw new Error(`pulumi destroy of stack ${name} failed (exit 255)`);
    },
});

describe("the end of a test file (test/support/lifecycle.ts)", () => {
    it("checks for leaks first, then cleans up everything, and passes when nothing leaked", async () => {
        const calls: string[] = [];
        await endOfFile("ntab12-x-", [stack("s1", calls), stack("s2", calls)], { cleanups: [() => { calls.push("extra"); }] }, fakeHost(none, calls));
        expect(calls).toEqual(["leak check ntab12-x-", "dispose s1", "dispose s2", "remove namespaces ntab12-x-", "remove state", "extra"]);
    });

    it("fails with every leak, after the whole clean-up ran", async () => {
        const calls: string[] = [];
        const found = { namespaces: ["ntab12-x-a", "ntab12-x-left"], hostLinks: ["ntab12-leak"], sysctls: ["net.ipv4.ip_forward: 0 -> 1"] };
        const end = endOfFile("ntab12-x-", [stack("s1", calls)], { fixtures: ["ntab12-x-a"] }, fakeHost(found, calls));
        await expect(end).rejects.toThrow(/namespaces left behind: ntab12-x-left; new links in the host namespace: ntab12-leak; host settings changed: net\.ipv4\.ip_forward: 0 -> 1/);
        await end.catch((e: Error) => expect(e.message).not.toContain("ntab12-x-a,")); // a fixture is not a leak
        expect(calls).toEqual(["leak check ntab12-x-", "dispose s1", "remove namespaces ntab12-x-", "remove state"]);
    });

    it("a fixture alone is no leak", async () => {
        await expect(endOfFile("p-", [], { fixtures: ["p-a"] }, fakeHost({ ...none, namespaces: ["p-a"] }, []))).resolves.toBeUndefined();
    });

    it("fails when a destroy failed, after disposing the other stacks and cleaning up", async () => {
        const calls: string[] = [];
        const end = endOfFile("p-", [stack("s1", calls, true), stack("s2", calls)], {}, fakeHost(none, calls));
        await expect(end).rejects.toThrow(/clean-up of stack s1: pulumi destroy of stack s1 failed \(exit 255\)/);
        expect(calls).toEqual(["leak check p-", "dispose s1", "dispose s2", "remove namespaces p-", "remove state"]);
    });
});

describe("TestStack.dispose()", () => {
    let dir = "";
    const path = process.env.PATH;
    afterEach(() => {
        process.env.PATH = path;
        rmSync(dir, { recursive: true, force: true });
        removeState();
    });

    /** A `pulumi` that logs its arguments and fails `destroy` when told to. */
    function fakePulumi(destroyExit: number): string {
        dir = mkdtempSync(join(tmpdir(), "netns-fake-pulumi-"));
        const log = join(dir, "calls");
        writeFileSync(join(dir, "pulumi"), `#!/bin/sh\necho "$1 $2" >> '${log}'\nif [ "$1" = destroy ]; then echo "error: the destroy broke" >&2; exit ${destroyExit}; fi\nexit 0\n`);
        chmodSync(join(dir, "pulumi"), 0o755);
        process.env.PATH = `${dir}:${path ?? ""}`;
        return log;
    }

    it("throws when `pulumi destroy` fails, with its output, after removing the stack", async () => {
        const log = fakePulumi(255);
        const s = await TestStack.create("st", dir, { a: "1" });
        await expect(s.dispose()).rejects.toThrow(/pulumi destroy of stack st failed \(exit 255\)[\s\S]*error: the destroy broke/);
        expect(readFileSync(log, "utf8").split("\n").filter(Boolean)).toEqual(["stack init", "config set", "destroy --yes", "stack rm"]);
    });

    it("resolves when the destroy succeeds", async () => {
        fakePulumi(0);
        const s = await TestStack.create("st", dir, {});
        await expect(s.dispose()).resolves.toBeUndefined();
    });
});

describe("the leak check without the run's host-sysctl snapshot", () => {
    it("fails instead of comparing nothing", async () => {
        const saved = process.env.NETNS_TEST_HOST_SYSCTLS;
        try {
            delete process.env.NETNS_TEST_HOST_SYSCTLS;
            await expect(leaks("p-", [])).rejects.toThrow(/host-sysctl snapshot \(NETNS_TEST_HOST_SYSCTLS\) is missing/);
            process.env.NETNS_TEST_HOST_SYSCTLS = "{}";
            await expect(leaks("p-", [])).rejects.toThrow(/snapshot \(NETNS_TEST_HOST_SYSCTLS\) is empty/);
        } finally {
            if (saved === undefined) delete process.env.NETNS_TEST_HOST_SYSCTLS;
            else process.env.NETNS_TEST_HOST_SYSCTLS = saved;
        }
    });
});

describe("the closing line of npm test (scripts/test-summary.cjs)", () => {
    const root = resolve(__dirname, "../..");
    const file = (layer: string, name: string, statuses: string[], extra: { status?: string; message?: string } = {}) => ({
        name: join(root, "test", layer, name),
        status: extra.status ?? (statuses.includes("failed") ? "failed" : "passed"),
        message: extra.message ?? "",
        assertionResults: statuses.map((status) => ({ status })),
    });
    const report = (files: ReturnType<typeof file>[], failedSuites = 0) => {
        const all = files.flatMap((f) => f.assertionResults);
        return {
            numPassedTests: all.filter((t) => t.status === "passed").length,
            numFailedTests: all.filter((t) => t.status === "failed").length,
            numPendingTests: all.filter((t) => t.status === "skipped" || t.status === "pending").length,
            numTodoTests: 0,
            numFailedTestSuites: failedSuites,
            testResults: files,
        };
    };
    const base = { layers: ["unit", "integration", "e2e", "reliability"], filesGiven: false, typecheckFailed: false, vitestExit: 0, root, teardown: { state: "passed" } };
    const green = [file("unit", "a.test.ts", ["passed", "passed"]), file("integration", "b.test.ts", ["passed"]), file("e2e", "c.test.ts", ["passed"]), file("reliability", "d.test.ts", ["passed", "skipped"])];
    const last = (s: { lines: string[] }) => s.lines[s.lines.length - 1];

    it("is the plain N passed, N failed, N skipped, last, with a line per layer", () => {
        const s = summarize({ ...base, report: report(green) });
        expect(last(s)).toBe("5 passed, 0 failed, 1 skipped");
        expect(s.ok).toBe(true);
        expect(s.lines).toContain("layer unit: 2 passed, 0 failed (1 files)");
        expect(s.lines).toContain("layer reliability: 1 passed, 0 failed, 1 skipped (1 files)");
    });

    it("counts a file whose afterAll threw (its tests passed) as a failure", () => {
        const s = summarize({ ...base, report: report([...green, file("e2e", "leaky.test.ts", ["passed"], { status: "failed", message: "end of file (prefix nt1-x-): leak" })], 1) });
        expect(last(s)).toBe("6 passed, 1 failed, 1 skipped");
        expect(s.lines.join("\n")).toMatch(/FAILED: file failed outside its tests .*test\/e2e\/leaky\.test\.ts: end of file \(prefix nt1-x-\): leak/);
        expect(s.ok).toBe(false);
    });

    it("counts a file that failed to load, and a failed describe-level hook (no message)", () => {
        const s = summarize({ ...base, report: report([...green, file("integration", "broken.test.ts", [], { status: "failed", message: "SyntaxError" }), file("e2e", "hook.test.ts", ["passed"], { status: "failed" })], 2) });
        expect(last(s)).toBe("6 passed, 2 failed, 1 skipped");
    });

    it("counts failed tests once, not again as a failed file", () => {
        const s = summarize({ ...base, report: report([...green, file("unit", "x.test.ts", ["failed", "passed"])], 1) });
        expect(last(s)).toBe("6 passed, 1 failed, 1 skipped");
    });

    it("counts a failed or unfinished global teardown, and a missing verdict", () => {
        expect(last(summarize({ ...base, report: report(green), teardown: { state: "failed", message: "leak check failed after the run: namespaces left behind: nt1-a" } }))).toBe("5 passed, 1 failed, 1 skipped");
        expect(last(summarize({ ...base, report: report(green), teardown: { state: "started" } }))).toBe("5 passed, 1 failed, 1 skipped");
        const missing = summarize({ ...base, report: report(green), teardown: undefined });
        expect(last(missing)).toBe("5 passed, 1 failed, 1 skipped");
        expect(missing.lines.join("\n")).toContain("global teardown: no verdict");
    });

    it("says so when the report is missing, and fails", () => {
        const s = summarize({ ...base, report: undefined, reportError: "/tmp/r.json: no such file", vitestExit: 1 });
        expect(s.lines.join("\n")).toContain("the Vitest JSON report is missing or unreadable (/tmp/r.json: no such file)");
        expect(last(s)).toBe("0 passed, 1 failed");
    });

    it("fails when a selected layer has no passed test, unless files were given", () => {
        const noE2e = [green[0]!, green[1]!, green[3]!];
        const s = summarize({ ...base, report: report(noE2e) });
        expect(s.lines.join("\n")).toContain("layer e2e was selected but no test of it passed");
        expect(last(s)).toBe("4 passed, 1 failed, 1 skipped");
        expect(summarize({ ...base, report: report(noE2e), filesGiven: true }).ok).toBe(true);
    });

    it("counts a failed type check, and a non-zero exit of Vitest that its report does not explain", () => {
        expect(last(summarize({ ...base, report: report(green), typecheckFailed: true }))).toBe("5 passed, 1 failed, 1 skipped");
        expect(last(summarize({ ...base, report: report(green), vitestExit: 1 }))).toBe("5 passed, 1 failed, 1 skipped");
    });

    it("accepts the skipped teardown of a unit-only run, not of a wider one", () => {
        const unit = [green[0]!];
        expect(summarize({ ...base, layers: ["unit"], report: report(unit), teardown: { state: "skipped", message: "unit layer only" } }).ok).toBe(true);
        expect(summarize({ ...base, layers: ["unit", "integration"], report: report([green[0]!, green[1]!]), teardown: { state: "skipped", message: "unit layer only" } }).ok).toBe(false);
    });
});

describe("the layers", () => {
    const root = resolve(__dirname, "../..");

    it("npm test refuses a layer it does not know, before the set-up", async () => {
        const r = await execa("bash", [join(root, "scripts/test.sh")], { env: { PULUMI_NETNS_TEST_LAYERS: "unit,integraton" }, reject: false });
        expect(r.exitCode).toBe(2);
        expect(String(r.stderr)).toBe("npm test: unknown test layer 'integraton' in PULUMI_NETNS_TEST_LAYERS=unit,integraton (known: unit integration e2e reliability proof, or all)");
        expect(String(r.stdout)).toBe("");
    });

    it("CI runs npm test with no layer selection, whatever the environment says", async () => {
        const dir = mkdtempSync(join(tmpdir(), "netns-fake-npm-"));
        try {
            // A fake npm that reports what npm test would see.
            writeFileSync(join(dir, "npm"), '#!/bin/sh\necho "npm $* with PULUMI_NETNS_TEST_LAYERS=${PULUMI_NETNS_TEST_LAYERS-(unset)}"\n');
            chmodSync(join(dir, "npm"), 0o755);
            const r = await execa("bash", [join(root, ".ci/run")], { env: { CI: "true", PULUMI_NETNS_TEST_LAYERS: "unit", PATH: `${dir}:${process.env.PATH ?? ""}` }, reject: false });
            expect(r.exitCode, String(r.stderr)).toBe(0);
            expect(String(r.stdout).split("\n")[0]).toBe("npm test with PULUMI_NETNS_TEST_LAYERS=(unset)");
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});

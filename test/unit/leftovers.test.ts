// The outside users of the ownership marks, without root or CLI: the leftover finder
// (provider/leftovers.ts), the lab's pre-check (lab/precheck.ts) and the recovery's use of the
// marks (lab/recover.ts step 2b, provider/impl.ts recoveryAdopts).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import {
    findLeftovers, formatLeftover, leftoversCommand, lockFiles, objectsOfNamespace, openBackend, parseLeftoverArgs, readStates, stackRef, stateIds,
    type HostObject, type Leftover, type PulumiRun, type StackState,
} from "../../provider/leftovers";
import { formatMark } from "../../provider/ownership/owner";
import { unrecordedOwnNamespaces } from "../../lab/recover";
import { recoveryAdopts } from "../../provider/impl";
import { issueGrant } from "../../provider/ownership/recovery";
import { lessonNamespaces, namespacesInStates, precheck, stackConfigFile } from "../../lab/precheck";

const mark = (stack: string, kind?: string, name?: string, project = "pulumi-netns") => formatMark({ project, stack, kind, name });
const T = (kind: string) => `pulumi-nodejs:dynamic/netns:${kind}`;

describe("objectsOfNamespace: the marked objects of one namespace's `ip -j -d link show`", () => {
    it("takes the namespace's mark from lo, links' marks from their own alias, and counts what goes with the namespace", () => {
        const objs = objectsOfNamespace("t-ns1", [
            { ifname: "lo", ifalias: mark("router", "Namespace", "ns1") },
            { ifname: "ns1-veth0", ifalias: mark("router", "VethPair", "ns1-router"), linkinfo: { info_kind: "veth" } },
            { ifname: "br0", ifalias: mark("other", "Bridge", "br"), linkinfo: { info_kind: "bridge" } },
            { ifname: "hand0", ifalias: "made by hand", linkinfo: { info_kind: "dummy" } },
            { ifname: "plain", linkinfo: { info_kind: "veth" } },
        ], 2, 1);
        expect(objs.map((o) => `${o.kind} ${o.namespace} ${o.name} ${o.mark.stack}`)).toEqual([
            "Namespace t-ns1 t-ns1 router", "VethPair t-ns1 ns1-veth0 router", "Bridge t-ns1 br0 other",
        ]);
        expect(objs[0]!.holds).toEqual({ links: 4, routes: 2, rules: 1 });
    });

    it("never takes an unmarked or foreign-parse alias for a mark (lo included)", () => {
        for (const alias of [undefined, "", "pulumi-netns/2 p/s", " pulumi-netns/1 p/s", "pulumi-netns/1 p", "router lab"]) {
            expect(objectsOfNamespace("t-ns1", [{ ifname: "lo", ifalias: alias }, { ifname: "v", ifalias: alias, linkinfo: { info_kind: "veth" } }])).toEqual([]);
        }
    });

    it("in the host namespace, lo is a link like the others (the host namespace is no Namespace of ours)", () => {
        const objs = objectsOfNamespace("", [{ ifname: "lo", ifalias: mark("x") }]);
        expect(objs.map((o) => o.kind)).toEqual(["Link"]);
    });
});

describe("stateIds: what an exported deployment holds", () => {
    it("indexes our resources by Kind:id, a veth pair by both ends, and ignores other providers", () => {
        const ids = stateIds({
            resources: [
                { type: "pulumi:pulumi:Stack" },
                { type: T("Namespace"), id: "t-ns1" },
                { type: T("VethPair"), id: "t-ns1/a", outputs: { peerNamespace: "t-ns2", peerName: "b" } },
                { type: "aws:s3/bucket:Bucket", id: "t-ns9" },
            ],
        });
        expect([...ids].sort()).toEqual(["Namespace:t-ns1", "VethPair:t-ns1/a", "VethPair:t-ns2/b"]);
    });
});

describe("findLeftovers: the decisions", () => {
    const ns = (name: string, stack: string): HostObject => ({ kind: "Namespace", namespace: name, name, alias: mark(stack, "Namespace", name), mark: { project: "pulumi-netns", stack, kind: "Namespace", name } });
    const veth = (space: string, name: string, stack: string): HostObject => ({ kind: "VethPair", namespace: space, name, alias: mark(stack), mark: { project: "pulumi-netns", stack } });
    const exists = (...ids: string[]): StackState => ({ status: "exists", ids: new Set(ids) });
    const table: { what: string; objects: HostObject[]; states: [string, StackState][]; expect: string[] }[] = [
        { what: "a stack that does not exist: leftover", objects: [ns("a", "gone")], states: [["pulumi-netns/gone", { status: "missing" }]],
            expect: ["namespace a: marked by stack pulumi-netns/gone (Namespace a); its stack pulumi-netns/gone does not exist (no state in this backend)"] },
        { what: "a resource not in its stack's state: leftover", objects: [ns("a", "live")], states: [["pulumi-netns/live", exists("Namespace:b")]],
            expect: ["namespace a: marked by stack pulumi-netns/live (Namespace a); stack pulumi-netns/live has no Namespace a in its state"] },
        { what: "in the state: not a leftover", objects: [ns("a", "live"), veth("a", "v0", "live")], states: [["pulumi-netns/live", exists("Namespace:a", "VethPair:a/v0")]], expect: [] },
        { what: "a peer end recorded through its pair: not a leftover", objects: [veth("b", "v1", "live")], states: [["pulumi-netns/live", exists("VethPair:a/v0", "VethPair:b/v1")]], expect: [] },
        { what: "a state that cannot be read decides nothing", objects: [ns("a", "x")], states: [["pulumi-netns/x", { status: "unreadable", error: "login" }]], expect: [] },
        { what: "an owner never asked about decides nothing", objects: [ns("a", "x")], states: [], expect: [] },
        { what: "links of a leftover namespace go with it (one line)", objects: [ns("a", "gone"), veth("a", "v0", "gone")], states: [["pulumi-netns/gone", { status: "missing" }]],
            expect: ["namespace a: marked by stack pulumi-netns/gone (Namespace a); its stack pulumi-netns/gone does not exist (no state in this backend)"] },
        { what: "a leftover link in a live namespace", objects: [ns("a", "live"), veth("a", "v9", "live")], states: [["pulumi-netns/live", exists("Namespace:a")]],
            expect: ["veth v9 in a: marked by stack pulumi-netns/live; stack pulumi-netns/live has no VethPair a/v9 in its state"] },
        { what: "a leftover namespace that holds another stack's live link is kept", objects: [ns("a", "gone"), veth("a", "v0", "live")],
            states: [["pulumi-netns/gone", { status: "missing" }], ["pulumi-netns/live", exists("VethPair:a/v0")]],
            expect: ["namespace a: marked by stack pulumi-netns/gone (Namespace a); its stack pulumi-netns/gone does not exist (no state in this backend); kept: it holds veth v0 in a of stack pulumi-netns/live, which is not a leftover"] },
        { what: "a marked link in the host namespace is listed, never removed", objects: [{ kind: "Link", namespace: "", name: "eth9", alias: mark("gone"), mark: { project: "pulumi-netns", stack: "gone" } }],
            states: [["pulumi-netns/gone", { status: "missing" }]],
            expect: ["link eth9 in the host namespace: marked by stack pulumi-netns/gone; its stack pulumi-netns/gone does not exist (no state in this backend); kept: it is in the host's own namespace, where the provider never makes objects: the mark was copied by hand; remove it by hand if it is yours"] },
    ];
    it.each(table)("$what", ({ objects, states, expect: lines }) => {
        expect(findLeftovers(objects, new Map(states)).map(formatLeftover)).toEqual(lines);
    });

    it("says what goes with a namespace", () => {
        const o = { ...ns("a", "gone"), holds: { links: 2, routes: 3, rules: 1 } };
        expect(findLeftovers([o], new Map([["pulumi-netns/gone", { status: "missing" } as StackState]])).map(formatLeftover)[0])
            .toMatch(/^namespace a \(with 2 link\(s\), 3 route\(s\) and 1 rule\(s\) proto 77 in it\): marked by/);
    });
});

describe("the command's arguments and the stack reference", () => {
    it("removes only with --remove", () => {
        expect(parseLeftoverArgs([], "u")).toEqual({ remove: false });
        expect(parseLeftoverArgs(["--remove", "--prefix", "t-", "--project=p", "--backend", "file:///x", "--org", "o"], "u"))
            .toEqual({ remove: true, prefix: "t-", project: "p", backendUrl: "file:///x", org: "o" });
        expect(() => parseLeftoverArgs(["--yes"], "u")).toThrow(/unknown argument "--yes"/);
        expect(() => parseLeftoverArgs(["--prefix"], "u")).toThrow(/--prefix needs a value/);
    });

    it("names another project's stack as its backend does", () => {
        const o = { project: "p", stack: "s" };
        expect(stackRef(o, "file:///tmp/state")).toBe("organization/p/s");
        expect(stackRef(o, "s3://bucket")).toBe("organization/p/s");
        expect(stackRef(o, undefined)).toBe("p/s");
        expect(stackRef(o, "https://api.pulumi.com")).toBe("p/s");
        expect(stackRef(o, "https://api.pulumi.com", "acme")).toBe("acme/p/s");
    });
});

describe("leftovers of a live run (issue 21 item 4): locks, pending operations, the list of stacks", () => {
    let dir = "";
    afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); dir = ""; });
    const nsObj = (name: string, stack: string): HostObject => ({ kind: "Namespace", namespace: name, name, alias: mark(stack, "Namespace", name), mark: { project: "pulumi-netns", stack, kind: "Namespace", name } });
    /** A fake CLI: `stack ls` lists `stacks`, `stack export` prints each one's deployment; every call is recorded. */
    const fakeCli = (stacks: Record<string, object | "fails">, calls: string[] = []): PulumiRun => async (args) => {
        calls.push(args.join(" "));
        if (args[0] === "stack" && args[1] === "ls") return { exitCode: 0, stdout: JSON.stringify(Object.keys(stacks).map((n) => ({ name: `organization/pulumi-netns/${n}`, current: false }))), stderr: "" };
        if (args[0] === "stack" && args[1] === "export") {
            const d = stacks[args[3]!.split("/").pop()!];
            if (d === undefined) return { exitCode: 255, stdout: "", stderr: `error: no stack named '${args[3]}' found` };
            if (d === "fails") return { exitCode: 255, stdout: "", stderr: "error: no stack named 'organization/pulumi-netns/x' found (a misleading text)" };
            return { exitCode: 0, stdout: JSON.stringify({ version: 3, deployment: d }), stderr: "" };
        }
        return { exitCode: 1, stdout: "", stderr: `unexpected pulumi ${args.join(" ")}` };
    };
    const lock = (stack: string) => {
        const where = join(dir, ".pulumi", "locks", "organization", "pulumi-netns", stack);
        mkdirSync(where, { recursive: true });
        writeFileSync(join(where, "0b5e2c4a-lock.json"), JSON.stringify({ pid: 4242, username: "root", hostname: "h", timestamp: "2026-12-02T05:00:00Z" }));
    };

    it("counts what pending operations name as recorded: an ID, or the ID a pending create's inputs give (a veth pair by both ends)", () => {
        const ids = stateIds({
            resources: [],
            pending_operations: [
                { type: "creating", resource: { type: T("Namespace"), inputs: { name: "t-new" } } },
                { type: "creating", resource: { type: T("VethPair"), inputs: { name: "a", namespace: "t-new", peerName: "b", peerNamespace: "t-two" } } },
                { type: "deleting", resource: { type: T("Namespace"), id: "t-old" } },
                { type: "creating", resource: { type: T("Namespace"), inputs: { name: "bad name/" } } },
            ],
        });
        expect([...ids].sort()).toEqual(["Namespace:t-new", "Namespace:t-old", "VethPair:t-new/a", "VethPair:t-two/b"]);
    });

    it("a stack is missing only when the backend does not list it; an export failure that reads 'no stack named' decides nothing", async () => {
        dir = mkdtempSync(join(tmpdir(), "leftovers-unit-"));
        const backend = await openBackend({ backendUrl: `file://${dir}`, run: fakeCli({ listed: "fails", live: { resources: [{ type: T("Namespace"), id: "t-a" }] } }) });
        const states = await readStates([{ project: "pulumi-netns", stack: "listed" }, { project: "pulumi-netns", stack: "gone" }, { project: "pulumi-netns", stack: "live" }, { project: "other", stack: "live" }], backend);
        expect(states.get("pulumi-netns/listed")?.status).toBe("unreadable");
        expect(states.get("pulumi-netns/gone")).toEqual({ status: "missing" });
        expect(states.get("pulumi-netns/live")).toEqual({ status: "exists", ids: new Set(["Namespace:t-a"]) });
        expect(states.get("other/live")).toEqual({ status: "missing" });
    });

    it("a stack with a lock file in the file backend is in use: none of its objects is removed, and the line says why", async () => {
        dir = mkdtempSync(join(tmpdir(), "leftovers-unit-"));
        lock("running");
        expect(lockFiles(dir, "organization/pulumi-netns/running").map((l) => l.pid)).toEqual([4242]);
        const removed: string[] = [];
        const out: string[] = [];
        const err: string[] = [];
        // Under PULUMI_SKIP_CHECKPOINTS a running up records nothing until it ends: its state is empty.
        const code = await leftoversCommand({ remove: true, backendUrl: `file://${dir}` }, (l) => out.push(l), (l) => err.push(l), {
            scan: async () => [nsObj("t-run1", "running"), nsObj("t-run2", "running"), nsObj("t-gone", "gone")],
            run: fakeCli({ running: { resources: [] } }),
            remove: async (l: Leftover) => { removed.push(l.object.name); return `removed ${l.object.name}`; },
        });
        expect(removed).toEqual(["t-gone"]);
        expect(code).toBe(1);
        expect(err).toEqual([expect.stringMatching(/^cannot judge the objects of stack pulumi-netns\/running: it is locked by a run of the CLI \(.*0b5e2c4a-lock\.json: pid 4242 on h\)/)]);
        expect(out.filter((l) => l.includes("t-run"))).toEqual([]);
    });

    it("a lock taken after the states were read keeps the owner's objects at removal", async () => {
        dir = mkdtempSync(join(tmpdir(), "leftovers-unit-"));
        const removed: string[] = [];
        const out: string[] = [];
        const code = await leftoversCommand({ remove: true, backendUrl: `file://${dir}` }, (l) => out.push(l), () => {}, {
            scan: async () => [nsObj("t-x", "late")],
            run: async (args) => {
                const r = await fakeCli({ late: { resources: [] } })(args);
                if (args[1] === "export") lock("late");
                return r;
            },
            remove: async (l: Leftover) => { removed.push(l.object.name); return "removed"; },
        });
        expect(removed).toEqual([]);
        expect(code).toBe(1);
    });

    it("an object recorded by another stack of the backend is no leftover (a renamed stack's old marks); an unreadable one keeps it", async () => {
        dir = mkdtempSync(join(tmpdir(), "leftovers-unit-"));
        const calls: string[] = [];
        const removed: string[] = [];
        const out: string[] = [];
        const deps = (stacks: Record<string, object | "fails">) => ({
            scan: async () => [nsObj("t-ren", "old")],
            run: fakeCli(stacks, calls),
            remove: async (l: Leftover) => { removed.push(l.object.name); return "removed"; },
        });
        expect(await leftoversCommand({ remove: true, backendUrl: `file://${dir}` }, (l) => out.push(l), () => {}, deps({ renamed: { resources: [{ type: T("Namespace"), id: "t-ren" }] } }))).toBe(0);
        expect(removed).toEqual([]);
        expect(out).toEqual(["no leftovers: 1 marked object(s) on the host, each in its stack's state"]);
        expect(calls).toContain("stack export --stack organization/pulumi-netns/renamed");
        out.length = 0;
        expect(await leftoversCommand({ remove: true, backendUrl: `file://${dir}` }, (l) => out.push(l), () => {}, deps({ unreadable: "fails" }))).toBe(1);
        expect(removed).toEqual([]);
        expect(out[0]).toMatch(/; kept: stack\(s\) organization\/pulumi-netns\/unreadable of this backend cannot be read, and may record it$/);
    });

    it("without a list of stacks nothing is judged: the command fails naming the CLI call", async () => {
        const run: PulumiRun = async () => ({ exitCode: 255, stdout: "", stderr: "error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions" });
        await expect(leftoversCommand({ remove: true, backendUrl: "https://api.pulumi.com" }, () => {}, () => {}, { scan: async () => [nsObj("t-a", "s")], run, remove: async () => { throw new Error("must not remove"); } }))
            .rejects.toThrow(/^pulumi stack ls --all --json failed \(exit 255\): error: PULUMI_ACCESS_TOKEN must be set/);
    });
});

describe("recovery through the marks", () => {
    let revoke = () => {};
    afterEach(() => { revoke(); delete process.env.PULUMI_NETNS_RECOVERY; });
    const m = (stack: string, project = "pulumi-netns") => ({ project, stack });

    it("takes over the namespaces marked by this stack that its state does not record, and no one else's", () => {
        const d = { resources: [{ urn: "u", type: T("Namespace"), id: "t-rec" }] };
        expect(unrecordedOwnNamespaces(d, m("s"), [
            { namespace: "t-new", mark: m("s") }, { namespace: "t-rec", mark: m("s") },
            { namespace: "t-other", mark: m("s2") }, { namespace: "t-proj", mark: m("s", "elsewhere") },
        ])).toEqual(["t-new"]);
    });

    it("adopts an object when every namespace it lives in is listed", () => {
        const o = m("s");
        const g = issueGrant(o, [], ["t-a", "t-b"]);
        revoke = g.revoke;
        process.env.PULUMI_NETNS_RECOVERY = g.value;
        expect(recoveryAdopts("Namespace", "t-a", ["t-a"], o)).toBe(true);
        expect(recoveryAdopts("VethPair", "t-a/v", ["t-a", "t-b"], o)).toBe(true);
        expect(recoveryAdopts("VethPair", "t-a/v", ["t-a", "t-c"], o)).toBe(false);
        expect(recoveryAdopts("Address", "t-c/v/x", ["t-c"], o)).toBe(false);
        expect(recoveryAdopts("Address", "x", [], o)).toBe(false);
        process.env.PULUMI_NETNS_RECOVERY = JSON.stringify(["t-a"]);
        expect(recoveryAdopts("Namespace", "t-a", ["t-a"], o)).toBe(false);
    });
});

describe("the lab's pre-check, without the host", () => {
    let dir = "";
    afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); dir = ""; });

    it("finds a lesson's namespace names by running its program under mocks, with the prefix", async () => {
        expect(await lessonNamespaces("router", "b-", {})).toEqual(["b-ns1", "b-ns2", "b-router"]);
        expect(await lessonNamespaces("two-hosts", "", { link: "down" })).toEqual(["ns1", "ns2"]);
        expect(await lessonNamespaces("vpc", "x-", {})).toEqual(["x-dev-db", "x-dev-vpc", "x-dev-web", "x-internet"]);
    });

    it("refuses a prefix that makes a namespace name the Namespace kind refuses, before anything on the host is read", async () => {
        dir = mkdtempSync(join(tmpdir(), "precheck-unit-"));
        const long = "p".repeat(62);
        const r = await precheck(dir, "router", "router", { prefix: long }, `file://${dir}`);
        expect(r.conflicts.map((c) => c.namespace)).toEqual([`${long}ns1`, `${long}ns2`, `${long}router`]);
        expect(r.conflicts[0]!.message).toBe(`prefix="${long}" makes the namespace name "${long}ns1", which is longer than 64 characters: choose a shorter prefix of letters, digits, '_', '.' and '-'`);
        const slash = await precheck(dir, "router", "router", { prefix: "a/" }, `file://${dir}`);
        expect(slash.conflicts[0]!.message).toMatch(/^prefix="a\/" makes the namespace name "a\/ns1", which may contain only letters/);
        expect((await precheck(dir, "router", "router", { prefix: "b-" }, `file://${dir}`)).conflicts.filter((c) => c.namespace.startsWith("b-"))).toEqual([]);
    });

    it("reads the lab's stack config file (plain values)", () => {
        dir = mkdtempSync(join(tmpdir(), "precheck-unit-"));
        writeFileSync(join(dir, "Pulumi.router.yaml"), "config:\n  pulumi-netns:prefix: b-\n  pulumi-netns:forward: \"off\"\n  pulumi-netns:x: 'it''s'\n  other:y: z\n");
        expect(stackConfigFile(dir, "router")).toEqual({ prefix: "b-", forward: "off", x: "it's" });
        expect(stackConfigFile(dir, "none")).toEqual({});
    });

    it("finds which stack of a file backend holds a namespace (plain and gzipped checkpoints)", () => {
        dir = mkdtempSync(join(tmpdir(), "precheck-unit-"));
        const stacks = join(dir, ".pulumi", "stacks", "pulumi-netns");
        mkdirSync(stacks, { recursive: true });
        const cp = (ns: string, res: string) => JSON.stringify({ checkpoint: { latest: { resources: [{ urn: `urn:pulumi:s::pulumi-netns::${T("Namespace")}::${res}`, type: T("Namespace"), id: ns }] } } });
        writeFileSync(join(stacks, "router.json"), cp("ns1", "ns1"));
        writeFileSync(join(stacks, "other.json.gz"), gzipSync(cp("b-ns1", "first")));
        writeFileSync(join(stacks, "router.json.attrs"), "{}");
        writeFileSync(join(stacks, "broken.json"), "{");
        const held = namespacesInStates(`file://${dir}`, "pulumi-netns");
        expect([...held.keys()].sort()).toEqual(["other", "router"]);
        expect(held.get("router")?.get("ns1")).toBe("ns1");
        expect(held.get("other")?.get("b-ns1")).toBe("first");
        expect(namespacesInStates("https://api.pulumi.com", "pulumi-netns").size).toBe(0);
    });
});

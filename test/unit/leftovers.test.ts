// The outside users of the ownership marks, without root or CLI: the leftover finder
// (provider/leftovers.ts), the lab's pre-check (lab/precheck.ts) and the recovery's use of the
// marks (lab/recover.ts step 2b, provider/impl.ts recoveryAdopts).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import {
    findLeftovers, formatLeftover, objectsOfNamespace, parseLeftoverArgs, stackRef, stateIds,
    type HostObject, type StackState,
} from "../../provider/leftovers";
import { formatMark } from "../../provider/owner";
import { unrecordedOwnNamespaces } from "../../lab/recover";
import { recoveryAdopts } from "../../provider/impl";
import { issueGrant } from "../../provider/recovery";
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

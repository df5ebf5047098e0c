// Adding a kind is its file plus one line in the registry (issue 22 item 3): what the kernel
// deletes together (checks/ties.ts), where a mark goes (ownership/nsmark.ts) and the leftover finder
// (leftovers.ts) follow a new kind's definition (kind.ts: namespaceName, deletedWith,
// links, segment, ties), without a line of their own. A kind defined here only, never registered,
// never constructed: the code under test must know it from its definition alone.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineKind } from "../../provider/engine/kind";
import { tie } from "../../provider/checks/ties";
import { markedLinks } from "../../provider/ownership/nsmark";
import { describeObject, objectsOfNamespace, stateIds } from "../../provider/leftovers";
import { formatMark } from "../../provider/ownership/owner";
import "../../provider/kinds/namespace";
import "../../provider/kinds/address";
import "../../provider/kinds/veth";

const schema = z.strictObject({ namespace: z.string(), name: z.string(), peerNamespace: z.string(), peerName: z.string() });
defineKind({
    kind: "DvTunnel",
    schema,
    computed: {},
    namespaces: ["namespace", "peerNamespace"],
    claims: () => [],
    diff: { replace: ["namespace", "name", "peerNamespace", "peerName"], update: [] },
    deletedWith: "namespace",
    // Ends that others join, as a bridge's: a VethPair whose master names one is tied to it.
    links: [{ name: "name", namespace: "namespace", type: "dvtun", master: true }, { name: "peerName", namespace: "peerNamespace", type: "dvtun", master: true }],
    id: (a) => `${a.namespace}/${a.name}`,
    create: async () => { throw new Error("never made"); },
    read: async () => undefined,
    update: async () => { throw new Error("never changed"); },
    delete: async () => {},
});

/** A stand-in for a constructed resource: its output properties are the objects ties.ts keys on. */
const resource = (...outputs: string[]) => Object.fromEntries(outputs.map((o) => [o, { output: o }])) as never;

describe("a kind known only by its definition", () => {
    it("carries its marks on the interfaces its links name (nsmark.ts)", () => {
        expect(markedLinks("DvTunnel", { namespace: "dv-a", name: "t0", peerNamespace: "dv-b", peerName: "t1" }))
            .toEqual([{ namespace: "dv-a", dev: "t0" }, { namespace: "dv-b", dev: "t1" }]);
    });

    it("is deleted with its namespace, and replaces what lives on or joins its interfaces (ties.ts)", () => {
        const ns = resource("name");
        tie("Namespace", { name: "dvr-a" }).record(ns);
        const tun = resource("name", "peerName");
        const t = tie("DvTunnel", { namespace: "dvr-a", name: "t0", peerNamespace: "dvr-b", peerName: "t1" });
        expect(t.opts.deletedWith).toBe(ns);
        t.record(tun);
        // An address on its end, by plain name and by its output.
        expect(tie("Address", { namespace: "dvr-a", dev: "t0", address: "192.0.2.1/24" }).opts.replaceWith).toEqual([tun]);
        expect(tie("Address", { namespace: "dvr-b", dev: (tun as Record<string, unknown>).peerName, address: "192.0.2.2/24" }).opts.replaceWith).toEqual([tun]);
        // Its ends are ones others join (master): a VethPair joining one, and one in dependsOn.
        expect(tie("VethPair", { name: "v0", namespace: "dvr-a", peerName: "v1", peerNamespace: "dvr-c", master: "t0" }).opts.replaceWith).toEqual([tun]);
        expect(tie("VethPair", { name: "v2", namespace: "dvr-a", peerName: "v3", peerNamespace: "dvr-c" }, { dependsOn: [tun] }).opts.replaceWith).toEqual([tun]);
    });

    it("is listed, described and found in a state by the leftover finder (leftovers.ts)", () => {
        const alias = formatMark({ project: "p", stack: "s", kind: "DvTunnel", name: "tun" });
        const objs = objectsOfNamespace("dv-a", [{ ifname: "t0", ifalias: alias, linkinfo: { info_kind: "dvtun" } }]);
        expect(objs.map((o) => o.kind)).toEqual(["DvTunnel"]);
        expect(describeObject(objs[0]!)).toBe("dvtun t0 in dv-a");
        const ids = stateIds({ resources: [{ type: "pulumi-nodejs:dynamic/netns:DvTunnel", id: "dv-a/t0", outputs: { namespace: "dv-a", name: "t0", peerNamespace: "dv-b", peerName: "t1" } }] });
        expect([...ids].sort()).toEqual(["DvTunnel:dv-a/t0", "DvTunnel:dv-b/t1"]);
    });
});

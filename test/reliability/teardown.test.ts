// Teardown after an `up` that failed halfway: some resources were created, a later one failed at
// create, and what depended on it never ran. `destroy` still removes everything the stack made:
// no namespace with the prefix, no new link in the host namespace, no changed host setting.
// (Teardown after every lesson is part of convergence.test.ts.)
// The failures are ones only the kernel can see, so that they happen at create and not in the
// preview: a gateway whose segment is declared, but on an interface that is down (the kernel
// has no connected route for it), and an address on an interface that does not exist.
import { describe, expect, it } from "vitest";
import { filePrefix } from "../support/prefix";
import { expectNoLeaks, exportState, fileLifecycle, fixtureStack, namespacesWith, printed, type Spec } from "./support";

const prefix = filePrefix("tear");
const { stacks, sysctlsBefore } = fileLifecycle(prefix);


const ref = (name: string, out: string) => ({ ref: name, out });

/** Two namespaces on one cable, a sysctl, addresses; then `late`, which fails, and `after`, which waits for it. */
function halfway(p: string, late: Spec): Spec[] {
    return [
        { kind: "Namespace", name: "a", args: { name: `${p}a` } },
        { kind: "Namespace", name: "b", args: { name: `${p}b` } },
        { kind: "Sysctl", name: "a-fwd", args: { namespace: ref("a", "name"), key: "net.ipv4.ip_forward", value: "1" } },
        // The end in a stays down: its segment exists in the program, not in a's routing table.
        { kind: "VethPair", name: "v", args: { name: "va", namespace: ref("a", "name"), peerName: "vb", peerNamespace: ref("b", "name"), up: false } },
        { kind: "Address", name: "a-ip", args: { namespace: ref("a", "name"), dev: ref("v", "name"), address: "192.0.2.1/24" } },
        { kind: "Address", name: "b-ip", args: { namespace: ref("b", "name"), dev: ref("v", "peerName"), address: "192.0.2.2/24" } },
        late,
        { kind: "Namespace", name: "after", args: { name: `${p}after` }, dependsOn: [late.name] },
    ];
}

const cases: { what: string; tag: string; late: (p: string) => Spec; error: RegExp }[] = [
    {
        what: "a route whose gateway is on a link that is down",
        tag: "gw",
        late: () => ({ kind: "Route", name: "late", args: { namespace: ref("a", "name"), to: "198.51.100.0/24", via: "192.0.2.2" }, dependsOn: ["a-ip", "b-ip", "a-fwd"] }),
        error: /Route "late" create failed[\s\S]*hint: +the gateway 192\.0\.2\.2 is on no connected segment/,
    },
    {
        // The preview refuses this one (provider/checks/declared.ts); `up --skip-preview` makes it anyway.
        what: "a route whose gateway is on no segment at all (up without a preview)",
        tag: "nogw",
        late: () => ({ kind: "Route", name: "late", args: { namespace: ref("a", "name"), to: "198.51.100.0/24", via: "203.0.113.9" }, dependsOn: ["a-ip", "b-ip", "a-fwd"] }),
        error: /Route "late"[\s\S]*203\.0\.113\.9 is on no connected segment/,
    },
    {
        what: "an address on an interface that does not exist",
        tag: "dev",
        late: () => ({ kind: "Address", name: "late", args: { namespace: ref("a", "name"), dev: "nosuch0", address: "203.0.113.1/24" }, dependsOn: ["a-ip", "b-ip", "a-fwd"] }),
        error: /Address "late" create failed[\s\S]*there is no interface nosuch0/,
    },
];

describe("destroy after an up that failed halfway", () => {
    it.each(cases)("$what: up fails after creating part of the stack; destroy leaves nothing", async (c) => {
        const p = `${prefix}${c.tag}-`;
        const stack = await fixtureStack(`${prefix}${c.tag}`, halfway(p, c.late(p)));
        stacks.push(stack);

        const r = await stack.run(["up", "--yes", "--skip-preview"]);
        expect(r.exitCode, printed(r)).not.toBe(0);
        expect(printed(r)).toMatch(c.error);

        const made = (await exportState(stack)).resources.map((x) => x.urn.split("::").pop()).sort();
        expect(made).toEqual(["a", "a-fwd", "a-ip", "b", "b-ip", "v"]); // everything before the failure, nothing after
        expect((await namespacesWith(p)).sort()).toEqual([`${p}a`, `${p}b`]);

        await stack.destroy();
        expect(await namespacesWith(p)).toEqual([]);
        expect((await exportState(stack)).resources).toEqual([]);
        await expectNoLeaks(p, sysctlsBefore());
        console.log(`[reliability] teardown after a failed up (${c.what}): ${made.length} resources made, destroy left nothing`);
    }, 600_000);
});

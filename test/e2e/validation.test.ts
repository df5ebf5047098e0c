// Bad inputs through the real Pulumi CLI: the provider's check rejects them at preview, with one
// message per property that names it and says why, and neither preview nor up creates anything
// (not even a valid Namespace declared next to them).
import { describe, expect, it } from "vitest";
import { namespaces } from "../support/host";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";
import { FIXTURE, TestStack } from "./harness";
import { config, printed, ref, stateResources, upFails, type Spec } from "./resource-support";

const prefix = filePrefix("valid");
const N = `${prefix}n`;
const life = fileLifecycle(prefix); // leak check, then clean-up (test/support/lifecycle.ts)

describe("inputs rejected at preview", () => {
    let stack: TestStack | undefined;

    async function rejected(specs: Spec[]): Promise<string> {
        if (!stack) {
            stack = await TestStack.create(`${prefix}stack`, FIXTURE, config(specs));
            life.stacks.push(stack);
        }
        await stack.setConfig(config(specs));
        const r = await stack.run(["preview"]);
        expect(r.exitCode, printed(r)).not.toBe(0);
        // up (which previews first) refuses too, before it makes anything.
        const up = await upFails(stack, []);
        expect(await namespaces()).not.toContain(N);
        expect(await stateResources(stack)).toEqual([]);
        return `${printed(r)}\n${up}`;
    }

    it("a VethPair named -all (and with mtu 20): each property named with its reason", async () => {
        const out = await rejected([
            { kind: "Namespace", name: "n", args: { name: N } },
            { kind: "VethPair", name: "v", args: { name: "-all", namespace: ref("n", "name"), peerName: "p0", peerNamespace: ref("n", "name"), mtu: 20 } },
        ]);
        expect(out).toMatch(/VethPair resource 'v': property name value \{-all\} has a problem: may contain only letters, digits, '_', '\.' and '-', starting with a letter or digit/);
        expect(out).toMatch(/VethPair resource 'v': property mtu value \{20\} has a problem: is below 68/);
        expect(out).not.toMatch(/property (namespace|peerName|peerNamespace) /);
    });

    it("an Address 192.0.2.0/24 (a network address): named with its reason", async () => {
        const out = await rejected([
            { kind: "Namespace", name: "n", args: { name: N } },
            { kind: "Address", name: "ad", args: { namespace: ref("n", "name"), dev: "eth0", address: "192.0.2.0/24" } },
        ]);
        expect(out).toMatch(/Address resource 'ad': property address value \{192\.0\.2\.0\/24\} has a problem: "192\.0\.2\.0\/24" is the network address of its subnet; give a host address, such as 192\.0\.2\.1\/24/);
        expect(out).not.toMatch(/property (namespace|dev) /);
    });
});

// Bounds on every input (issue 21 item 16): measured in the program before the engine sees a
// value (provider/engine/dynamic.ts), and by the schemas. No engine: the SDK's mocks.
import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it } from "vitest";
import { Namespace, Sysctl, VethPair } from "../../provider";
import { oversized } from "../../provider/engine/dynamic";
import { LIMITS, sysctlKey } from "../../provider/engine/fields";
import { addressList, routeList, sysctlMap } from "../../provider/kinds/inline";

const mocks: pulumi.runtime.Mocks = {
    newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
    call: () => ({}),
};

afterEach(() => {
    process.exitCode = undefined;
});

describe("oversized", () => {
    it.each([
        ["a string of 1024 characters", "x".repeat(1024), undefined],
        ["a string of 1025 characters", "x".repeat(1025), "property p is 1025 characters long; the limit is 1024"],
        ["a list of 1024 entries", Array(1024).fill("a"), undefined],
        ["a list of 1025 entries", Array(1025).fill("a"), "property p has 1025 entries; the limit is 1024"],
        ["a long string in a list", ["a", "y".repeat(2000)], "property p[1] is 2000 characters long; the limit is 1024"],
        ["a long string in an object in a list", [{ to: "z".repeat(1500) }], "property p[0].to is 1500 characters long; the limit is 1024"],
        ["a long key of an object", { ["k".repeat(1100)]: "1" }, "property p has a key 1100 characters long; the limit is 1024"],
        ["numbers and booleans", [1, true, null, undefined], undefined],
    ])("%s", (_what, value, problem) => {
        expect(oversized(value, "p")).toBe(problem);
    });

    it("leaves Outputs to be measured once known", () => {
        expect(oversized(pulumi.output("x".repeat(5000)), "p")).toBeUndefined();
    });
});

describe("the resource classes refuse before registering", () => {
    it("a plain sysctl key of 33,000 characters, in one line naming the property", async () => {
        await pulumi.runtime.setMocks(mocks, "project", "stack", true);
        const key = `net.ipv4.${"a".repeat(33_000)}`;
        let error: unknown;
        try {
            new Sysctl("big", { namespace: "n1", key, value: "1" });
        } catch (e) {
            error = e;
        }
        expect(pulumi.RunError.isInstance(error)).toBe(true);
        expect((error as Error).message).toBe(`Sysctl "big": property key is 33009 characters long; the limit is 1024 (see "Limits" in docs/reference.md of pulumi-netns)`);
    });

    it("2,000 inline addresses and a long inline sysctl value", async () => {
        await pulumi.runtime.setMocks(mocks, "project", "stack", true);
        const addresses = Array.from({ length: 2000 }, (_, i) => `2001:db8::${(i + 1).toString(16)}/128`);
        expect(() => new VethPair("p", { name: "x0", namespace: "n1", peerName: "y0", peerNamespace: "n2", addresses }))
            .toThrow(/^VethPair "p": property addresses has 2000 entries; the limit is 1024/);
        expect(() => new Namespace("n", { name: "n1", sysctls: { "net.ipv4.ip_forward": "1".repeat(2000) } }))
            .toThrow(/^Namespace "n": property sysctls\.net\.ipv4\.ip_forward is 2000 characters long/);
    });

    it("a value inside an Output, once it is known: the registration fails with the same line", async () => {
        const seen: string[] = [];
        const failures: string[] = [];
        const onError = (e: unknown) => failures.push(String((e as Error)?.message ?? e));
        process.on("unhandledRejection", onError);
        try {
            await pulumi.runtime.setMocks({ ...mocks, newResource: (args) => { seen.push(args.name); return mocks.newResource(args); } }, "project", "stack", false);
            new Sysctl("late", { namespace: "n1", key: pulumi.output(`net.ipv4.${"b".repeat(2000)}`), value: "1" });
            for (let i = 0; i < 100 && failures.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
        } finally {
            process.off("unhandledRejection", onError);
        }
        expect(seen).not.toContain("late");
        expect(failures[0]).toMatch(/Sysctl "late": property key is 2009 characters long; the limit is 1024 \(see "Limits" in docs\/reference\.md of pulumi-netns\)/);
    });
});

describe("the schemas say the same", () => {
    it("a sysctl key part of 256 characters, a key of 1025", () => {
        expect(sysctlKey.safeParse(`net.ipv4.conf.${"d".repeat(255)}.forwarding`).success).toBe(true);
        const part = sysctlKey.safeParse(`net.ipv4.conf.${"d".repeat(256)}.forwarding`);
        expect(part.success ? undefined : part.error.issues[0]?.message).toMatch(/has a part longer than 255 characters/);
        const long = sysctlKey.safeParse(`net.ipv4.conf.${"d".repeat(255)}.${"e".repeat(255)}.${"f".repeat(255)}.${"g".repeat(255)}`);
        expect(long.success ? undefined : long.error.issues[0]?.message).toMatch(/is longer than 1024 characters/);
    });

    it("lists and maps of more than 1024 entries", () => {
        const many = LIMITS.list + 1;
        expect(addressList.safeParse(Array.from({ length: many }, (_, i) => `2001:db8::${(i + 1).toString(16)}/128`)).error?.issues[0]?.message).toMatch(/has more than 1024 entries/);
        expect(routeList.safeParse(Array.from({ length: many }, (_, i) => ({ to: `2001:db8:${(i + 1).toString(16)}::/48`, via: "2001:db8::1" }))).error?.issues[0]?.message).toMatch(/has more than 1024 entries/);
        expect(sysctlMap.safeParse(Object.fromEntries(Array.from({ length: many }, (_, i) => [`net.ipv4.conf.d${i}.forwarding`, "1"]))).error?.issues[0]?.message).toMatch(/has more than 1024 keys/);
    });
});

// The public types, checked by the compiler (`npx tsc -p tsconfig.test.json`, which `npm test`
// runs first): each class's outputs are every input of its schema plus its computed values, typed
// from the schema. The classes are derived from the definitions, so a field added to a schema
// appears here as an output and these lists fail to compile until the tables of docs/reference.md (which
// list the same names) are brought along.
import type * as pulumi from "@pulumi/pulumi";
import { describe, expectTypeOf, it } from "vitest";
import type { Address, Bridge, BridgeArgs, Namespace, Route, RouteArgs, Rule, Sysctl, Tunnel, TunnelArgs, VethPair, VethPairArgs } from "../../provider";

type OutputKeys<T> = Exclude<keyof T, keyof pulumi.CustomResource>;

describe("every input is an output, plus what the kernel computes", () => {
    it("has exactly these outputs per class", () => {
        expectTypeOf<OutputKeys<Namespace>>().toEqualTypeOf<"name" | "sysctls" | "adopt" | "adoptFrom" | "previousSysctls">();
        expectTypeOf<OutputKeys<VethPair>>().toEqualTypeOf<"name" | "namespace" | "peerName" | "peerNamespace" | "mtu" | "peerMtu" | "address" | "peerAddress"
            | "up" | "peerUp" | "master" | "peerMaster" | "addresses" | "peerAddresses" | "routes" | "peerRoutes" | "adopt" | "adoptFrom" | "ifindex" | "peerIfindex" | "mac" | "peerMac" | "linkLocal" | "peerLinkLocal">();
        expectTypeOf<OutputKeys<Bridge>>().toEqualTypeOf<"name" | "namespace" | "mtu" | "up" | "addresses" | "adopt" | "adoptFrom" | "ifindex" | "mac">();
        expectTypeOf<OutputKeys<Address>>().toEqualTypeOf<"namespace" | "dev" | "address" | "adopt">();
        expectTypeOf<OutputKeys<Route>>().toEqualTypeOf<"namespace" | "to" | "via" | "dev" | "metric" | "src" | "table" | "adopt">();
        expectTypeOf<OutputKeys<Rule>>().toEqualTypeOf<"namespace" | "priority" | "from" | "to" | "lookup" | "type" | "adopt">();
        expectTypeOf<OutputKeys<Sysctl>>().toEqualTypeOf<"namespace" | "key" | "value" | "previous">();
        expectTypeOf<OutputKeys<Tunnel>>().toEqualTypeOf<"name" | "namespace" | "type" | "dev" | "vni" | "local" | "remote" | "group" | "dstport" | "srcport" | "learning"
            | "mtu" | "up" | "addresses" | "routes" | "adopt" | "adoptFrom" | "ifindex" | "mac">();
    });

    it("types each output from the schema: optional inputs may be undefined, defaults are filled in", () => {
        expectTypeOf<VethPair["mtu"]>().toEqualTypeOf<pulumi.Output<number | undefined>>();
        expectTypeOf<VethPair["up"]>().toEqualTypeOf<pulumi.Output<boolean>>();
        expectTypeOf<VethPair["mac"]>().toEqualTypeOf<pulumi.Output<string>>();
        expectTypeOf<VethPair["linkLocal"]>().toEqualTypeOf<pulumi.Output<string>>();
        expectTypeOf<VethPair["ifindex"]>().toEqualTypeOf<pulumi.Output<number>>();
        expectTypeOf<Route["table"]>().toEqualTypeOf<pulumi.Output<"main" | number>>();
        expectTypeOf<VethPair["addresses"]>().toEqualTypeOf<pulumi.Output<string[] | undefined>>();
        expectTypeOf<Namespace["sysctls"]>().toEqualTypeOf<pulumi.Output<Record<string, string> | undefined>>();
        expectTypeOf<Rule["type"]>().toEqualTypeOf<pulumi.Output<"unreachable" | "prohibit" | "blackhole" | undefined>>();
        expectTypeOf<Rule["from"]>().toEqualTypeOf<pulumi.Output<string>>();
        expectTypeOf<Sysctl["previous"]>().toEqualTypeOf<pulumi.Output<string>>();
        expectTypeOf<Bridge["mac"]>().toEqualTypeOf<pulumi.Output<string>>();
        expectTypeOf<Tunnel["type"]>().toEqualTypeOf<pulumi.Output<"vxlan" | "ipip" | "gre">>();
        expectTypeOf<Tunnel["srcport"]>().toEqualTypeOf<pulumi.Output<{ min: number; max: number } | undefined>>();
    });

    it("takes every input as a pulumi.Input in the Args types, required as the schema says", () => {
        expectTypeOf<VethPairArgs["name"]>().toEqualTypeOf<pulumi.Input<string>>();
        expectTypeOf<VethPairArgs["mtu"]>().toEqualTypeOf<pulumi.Input<number | undefined> | undefined>();
        expectTypeOf<RouteArgs["table"]>().toEqualTypeOf<pulumi.Input<"main" | number | undefined> | undefined>();
        expectTypeOf<{ name: string; namespace: string }>().toExtend<BridgeArgs>();
        expectTypeOf<{ name: string }>().not.toExtend<BridgeArgs>(); // namespace is required
        expectTypeOf<{ name: string; namespace: string; type: "vxlan"; dev: string }>().toExtend<TunnelArgs>();
        // @ts-expect-error: a VethPair has no such output
        expectTypeOf<VethPair["peerBridge"]>();
    });
});

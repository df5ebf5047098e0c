// The installed implementation behind every dynamic provider method. Loaded at run time by the
// tiny serialized provider (dynamic.ts) in the engine's provider process, and called directly by
// the integration tests.
import { decide } from "./diff";
import type { KindImpl, Outputs } from "./kind";
import type { Subject, Op } from "./run";
import { validate, type Inputs, type Kind } from "./schemas";
import { namespaceImpl } from "./namespace";
import { vethPairImpl } from "./veth";
import { addressImpl } from "./address";
import { routeImpl } from "./route";
import { sysctlImpl } from "./sysctl";
import { bridgeImpl } from "./bridge";
import { ruleImpl } from "./rule";

export const kinds: { [K in Kind]: KindImpl<K> } = {
    Namespace: namespaceImpl,
    VethPair: vethPairImpl,
    Address: addressImpl,
    Route: routeImpl,
    Sysctl: sysctlImpl,
    Bridge: bridgeImpl,
    Rule: ruleImpl,
};

type Props = Record<string, unknown>;

function subject(kind: Kind, op: Op, props: Props, id?: string): Subject {
    const name = typeof props.resourceName === "string" ? props.resourceName : (id ?? "?");
    return { kind, name, op };
}

function strip(props: Props): Props {
    const { __provider: _p, ...rest } = props;
    return rest;
}

/** Turns a kind's contract into the methods of a Pulumi dynamic provider. */
export function providerFor<K extends Kind>(kind: K) {
    const k = kinds[kind] as KindImpl<K>;
    return {
        async check(_olds: Props, news: Props) {
            const { inputs, failures } = validate(kind, news);
            return failures.length > 0 ? { inputs: news, failures } : { inputs: inputs as Props };
        },
        async diff(_id: string, olds: Props, news: Props) {
            return decide(k.diff, olds, news);
        },
        async create(inputs: Props) {
            const a = strip(inputs) as Inputs<K>;
            const outs = await k.create(subject(kind, "create", inputs), a);
            return { id: k.id(a), outs };
        },
        async read(id: string, props: Props) {
            const live = await k.read(subject(kind, "read", props, id), strip(props) as Outputs<K>);
            return live === undefined ? {} : { id, props: live };
        },
        async update(_id: string, olds: Props, news: Props) {
            const outs = await k.update(subject(kind, "update", news), strip(olds) as Outputs<K>, strip(news) as Inputs<K>);
            return { outs };
        },
        async delete(id: string, props: Props) {
            await k.delete(subject(kind, "delete", props, id), strip(props) as Outputs<K>);
        },
    };
}

export const providers = {
    Namespace: providerFor("Namespace"),
    VethPair: providerFor("VethPair"),
    Address: providerFor("Address"),
    Route: providerFor("Route"),
    Sysctl: providerFor("Sysctl"),
    Bridge: providerFor("Bridge"),
    Rule: providerFor("Rule"),
};

// Every resource kind, one line each. The provider methods (impl.ts), the schemas by kind
// (schemas.ts), the host-namespace guard (hostns.ts) and recovery (lab/recover.ts) read this list;
// the resource classes are made from the same definitions in each kind's file (dynamic.ts).
// Adding a kind: write provider/kinds/<kind>.ts with its definition (kind.ts), add it here, and
// export its class and Args type from provider/index.ts. What it is to the other kinds (links,
// segment, ties: relations.ts) is in its definition, which ties.ts, nsmark.ts and leftovers.ts read.
import { namespace } from "./namespace";
import { vethPair } from "./veth";
import { address } from "./address";
import { route } from "./route";
import { sysctl } from "./sysctl";
import { bridge } from "./bridge";
import { rule } from "./rule";
import { linkShaping } from "./shaping";
import { tunnel } from "./tunnel";

export const definitions = [namespace, vethPair, address, route, sysctl, bridge, rule, linkShaping, tunnel] as const;

type Def = (typeof definitions)[number];
/** The kinds by name. */
export type Definitions = { [D in Def as D["kind"]]: D };
export type Kind = keyof Definitions;

export const kinds = Object.fromEntries(definitions.map((d) => [d.kind, d])) as unknown as Definitions;

// What an object of a kind is to the objects around it, as its definition says (kind.ts: namespaceName,
// deletedWith, links, segment, ties): which namespace or interfaces it makes, what the kernel deletes
// it with. Read by the resource options derived at construction (checks/ties.ts), by where a mark
// goes (ownership/nsmark.ts) and by the leftover finder (leftovers.ts).
//
// A leaf: it imports nothing of the project. defineKind (kind.ts) records each definition here as
// its file loads, so that ties.ts and nsmark.ts find a kind by name without importing the registry
// (which every kind reaches: an import cycle). A kind's class is made in the same file right after
// its definition, so a resource of a kind is never constructed before the kind is known here.

/** The raw inputs of a resource (as passed to its constructor) or its stored properties, by name. */
export type Props = Record<string, unknown>;

/** An interface an object makes: the inputs that hold its name and its namespace. */
export interface LinkRule<P extends string = string> {
    name: P;
    namespace: P;
    /** The kernel's `linkinfo.info_kind` of it (`ip -j -d link show`): "veth", "bridge"; or each it may be (a Tunnel: "vxlan", "ipip", "gre"). */
    type: string | readonly string[];
    /** Other interfaces join it (their `master`): deleting it releases them. */
    master?: true;
}

/** An interface an object lives on or joins: the kernel takes the object away with it. */
export interface DevRule<P extends string = string> {
    /** The input naming the interface, or how to find it in the inputs (a per-interface sysctl key). */
    dev: P | ((props: Props) => unknown);
    /** The input naming the interface's namespace. */
    namespace: P;
    /** Only an interface that others join (a bridge: `LinkRule.master`). */
    master?: true;
}

/** The subnet an object connects its namespace to: a Route whose gateway is in it goes with it. */
export interface SegmentRule<P extends string = string> {
    namespace: P;
    /** The input holding the subnet in CIDR form. */
    cidr: P;
    /** Only when this holds of the inputs (a route through a device alone). */
    when?: (props: Props) => boolean;
}

/** What replaces the object in the same plan (ties.ts: replaceWith). */
export interface TieRules<P extends string = string> {
    /** The interfaces it lives on or joins. */
    devs?: readonly DevRule<P>[];
    /**
     * Which resources of its `dependsOn` take it away: "link" (one that makes interfaces), "master"
     * (one that makes an interface others join), "segment" (one with a segment: always when its
     * segment has no condition, else only when it made one).
     */
    dependsOn?: readonly ("link" | "master" | "segment")[];
    /** Its gateway: every segment of its namespace made before it that holds the gateway. */
    via?: { via: P; namespace: P };
}

/** The relations of one kind, as its definition gives them (kind.ts documents each field). */
export interface Relations<P extends string = string> {
    kind: string;
    namespaceName?: P;
    deletedWith?: P;
    links?: readonly LinkRule<P>[];
    segment?: SegmentRule<P>;
    ties?: TieRules<P>;
}

const known = new Map<string, Relations>();

/** Records a kind's relations (defineKind does, for every definition). */
export function remember(def: Relations): void {
    known.set(def.kind, def);
}

/** The relations of every kind defined so far. */
export function allRelations(): Relations[] {
    return [...known.values()];
}

/** The relations of the kind named `kind`; none for a kind not defined (or not loaded). */
export function relationsOf(kind: string): Relations {
    return known.get(kind) ?? { kind };
}

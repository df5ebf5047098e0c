// The part of the provider that Pulumi serializes into the stack state, kept tiny on purpose.
//
// The engine stores the provider object as code with every resource and runs that stored copy
// on refresh and destroy. Each method here only loads the installed implementation by package
// name and calls it, so the state holds no absolute path and no copy of our code: after an
// upgrade, destroy and refresh run the code that is installed now. (A bare package name in the
// stored code resolves from the node_modules folders above the program directory.)
import type * as pulumi from "@pulumi/pulumi";
import type { Kind } from "./schemas";

type Method = keyof pulumi.dynamic.ResourceProvider;
type Args = any[]; // eslint-disable-line @typescript-eslint/no-explicit-any

// One provider object per kind, made once: the SDK caches the serialized code per provider
// object, and serializing it costs tens of milliseconds of CPU, so a new object per resource
// would pay that for every resource of the stack (bench/: about 55 ms each).
const made = new Map<Kind, pulumi.dynamic.ResourceProvider>();

export function dynamicProvider(kind: Kind): pulumi.dynamic.ResourceProvider {
    let p = made.get(kind);
    if (p === undefined) {
        // Loads the installed implementation of this kind (see above) and calls one method. One
        // shared caller keeps the stored code small (it is stored twice with every resource).
        const call = (m: Method, a: Args) => require("pulumi-netns/dist/provider/impl.js").providers[kind][m](...a);
        p = {
            check: (...a: Args) => call("check", a),
            diff: (...a: Args) => call("diff", a),
            create: (...a: Args) => call("create", a),
            read: (...a: Args) => call("read", a),
            update: (...a: Args) => call("update", a),
            delete: (...a: Args) => call("delete", a),
        };
        made.set(kind, p);
    }
    return p;
}

/**
 * Lesson: one network namespace (seed 000, "Network Namespace").
 *
 *   [helloworld]   only lo inside, and an empty route table
 *
 * A network namespace is a separate copy of the network stack: its own interfaces, addresses,
 * routes and sysctls. A new one holds only the loopback interface, and no route at all.
 * Try: ip netns list
 *      ip netns exec helloworld ip link show      (only lo)
 *      ip netns exec helloworld ip route show     (nothing)
 *      pulumi destroy, then ip netns list again   (gone)
 */
import { Namespace } from "../provider";
import { inNs, type Lesson } from "./lesson";

export const lesson: Lesson = {
    name: "hello-namespace",
    summary: "one namespace: only lo inside, an empty route table (seed 000)",

    define({ prefix }) {
        const hello = new Namespace("helloworld", { name: `${prefix}helloworld` });
        return {
            namespace: hello.name,
            tryLinks: hello.name.apply((n) => `ip netns exec ${n} ip link show`),
            tryRoutes: hello.name.apply((n) => `ip netns exec ${n} ip route show`),
        };
    },

    checks(prefix) {
        const ns = `${prefix}helloworld`;
        return [
            {
                title: `${ns} exists`,
                argv: ["ip", "netns", "list"],
                expect: `a line starting with ${ns}`,
                ok: (r) => r.stdout.split("\n").some((l) => l.split(" ")[0] === ns),
            },
            {
                title: "only lo inside",
                argv: inNs(ns, "ip", "-j", "link", "show"),
                expect: 'exactly one interface, "lo", and it is up',
                ok: (r) => {
                    const links = JSON.parse(r.stdout || "[]") as { ifname: string; flags: string[] }[];
                    return links.length === 1 && links[0]?.ifname === "lo" && links[0].flags.includes("UP");
                },
            },
            {
                title: "the route table is empty",
                argv: inNs(ns, "ip", "-j", "route", "show"),
                expect: "no route",
                ok: (r) => (JSON.parse(r.stdout || "[]") as unknown[]).length === 0,
            },
        ];
    },
};

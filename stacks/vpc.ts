/**
 * Lesson: a VPC, a public subnet, an internet gateway and a route table (seed 001,
 * "VPC、public subnet、InternetGateway、RouteTableの作成"): the AWS console steps as code, with
 * the seed's names, plus a private subnet and one instance in each subnet.
 *
 *                               [internet] eth0 203.0.113.1/24            the outside world
 *                                   |       192.168.0.0/16 via 203.0.113.254
 *                               dev-igw 203.0.113.254/24                  InternetGateway dev-igw, attached to dev-vpc
 *   [dev-vpc] the VPC's implicit router, net.ipv4.ip_forward=1
 *       br-public 192.168.1.1/28                       br-private 192.168.2.1/28
 *       = dev-subnet-public 192.168.1.0/28             = dev-subnet-private 192.168.2.0/28
 *          | dev-web                                      | dev-db
 *   [dev-web] eth0 192.168.1.4/28                  [dev-db] eth0 192.168.2.4/28
 *             default via 192.168.1.1                        default via 192.168.2.1
 *
 *   ip -n dev-vpc rule                                   ip -n dev-vpc route show table 101
 *     0:     from all lookup local                         default via 203.0.113.1 dev dev-igw
 *     100:   from all to 192.168.0.0/16 lookup main      ip -n dev-vpc route show table 100
 *     101:   from all to 192.168.0.0/16 unreachable        (empty)
 *     1000:  from 192.168.1.0/28 lookup 101
 *     32000: from 192.168.0.0/16 lookup 100
 *     32001: from 192.168.0.0/16 unreachable
 *
 * How AWS maps onto Linux (stacks/aws/ec2.ts builds each AWS object from the primitives):
 * - A VPC has an implicit router that the console never shows; here it is a namespace, dev-vpc,
 *   with forwarding on.
 * - A subnet is a segment: a bridge in the router's namespace with the router's address on it,
 *   base+1, where AWS puts its VPC router. An instance is a namespace whose eth0 is a veth; the
 *   other end, named after the instance, joins the subnet's bridge.
 * - A route table is a Linux routing table, a number, in the router's namespace: dev-routetable
 *   is table 101. Associating it with a subnet is a rule, "from 192.168.1.0/28 lookup 101": the
 *   traffic of that subnet is looked up in that table. Every route table has the "local" route for
 *   the VPC's block: one rule before all others sends traffic within the VPC straight to the
 *   subnet's bridge, and the next one drops what is in the block but in no subnet. A subnet without an association uses the VPC's main route table, made with
 *   the VPC (table 100, rule 32000); and a subnet's traffic ends in its route table (rule 32001),
 *   so what no route there matches is unreachable.
 * - The internet gateway is a veth from the router to the "internet" namespace. A subnet is public
 *   only because its route table sends 0.0.0.0/0 to the gateway; dev-subnet-private uses the main
 *   route table, which has no such route. AWS's gateway also translates each instance's private
 *   address to its public IP (1:1 NAT); `ip` cannot do that, so this lesson leaves it out and
 *   gives the internet a route back to 192.168.0.0/16 via the gateway instead.
 * - AWS keeps five addresses of every subnet: .0 (network), .1 (VPC router), .2 (DNS), .3 (future
 *   use) and the last (broadcast). In 192.168.1.0/28 an instance can have .4 to .14; dev-web gets
 *   the first one, .4. Any other address is refused before anything is made.
 *
 * Try: ip netns exec dev-web ping -c 3 203.0.113.1      (TTL 63: the VPC router on the way)
 *      ip netns exec dev-db ping -c 3 203.0.113.1       (From 192.168.2.1: Destination Net Unreachable)
 *      ip netns exec dev-web ping -c 3 192.168.2.4      (the local route: subnets reach each other)
 *      ip netns exec dev-web ping -c 3 192.168.3.4      (in the VPC's block, in no subnet: Destination Net Unreachable)
 *      ip -n dev-vpc rule show; ip -n dev-vpc route show table 101
 *      ip -n dev-vpc route get 203.0.113.1 from 192.168.1.4 iif br-public   (table 101, via dev-igw)
 *      npm run lab -- up vpc publicAssociation=off      (the plan: the association and its one rule
 *                                                        deleted, nothing else; why is dev-web cut off now?)
 *      npm run lab -- up vpc webIp=192.168.1.3          (refused: AWS keeps .0 to .3 and .15)
 */
import * as pulumi from "@pulumi/pulumi";
import { inNs, type Check, type Lesson } from "./lesson";
import { netUnreachable, nodes, reaches, step } from "./checks";
import { Instance, InternetGateway, Internet, RouteTable, RouteTableAssociation, Subnet, Vpc } from "./aws/ec2";

const ASSOCIATION = ["on", "off"] as const;
const association = (value: string | undefined) => step("vpc", "publicAssociation", value, ASSOCIATION);

/** The seed's addresses, and the lesson's additions (private subnet, instances, the internet). */
export const VPC = {
    cidr: "192.168.0.0/16",
    publicSubnet: "192.168.1.0/28",
    privateSubnet: "192.168.2.0/28",
    internet: "203.0.113.1/24",
    igw: "203.0.113.254/24",
    /** The Linux table of dev-routetable: the first after the VPC's main route table (100). */
    routeTable: 101,
    webIp: "192.168.1.4",
    /** In the VPC's block, in no subnet. */
    unusedIp: "192.168.3.4",
    dbIp: "192.168.2.4",
} as const;

export const lesson: Lesson = {
    name: "vpc",
    summary: "AWS VPC, subnets, internet gateway, route table, association, as namespaces, bridges, tables and rules (seed 001)",

    define({ prefix, config }) {
        const associated = association(config.get("publicAssociation")) === "on";

        // 1. VPC: name-tag dev-vpc, IPv4 CIDR block 192.168.0.0/16. Its main route table comes with it.
        const vpc = new Vpc("dev-vpc", { cidrBlock: VPC.cidr, namespacePrefix: prefix });

        // 2. Subnet: name-tag dev-subnet-public, VPC dev-vpc, IPv4 CIDR block 192.168.1.0/28.
        const publicSubnet = new Subnet("dev-subnet-public", { vpc, cidrBlock: VPC.publicSubnet, bridge: "br-public" });
        //    And a second one that will stay private: no association, so the main route table.
        const privateSubnet = new Subnet("dev-subnet-private", { vpc, cidrBlock: VPC.privateSubnet, bridge: "br-private" });

        // 3. Internet Gateway: name-tag dev-igw, then Actions > Attach to VPC dev-vpc.
        const internet = new Internet("internet", { address: VPC.internet, namespacePrefix: prefix });
        const igw = new InternetGateway("dev-igw", { vpc, internet, address: VPC.igw });

        // 4. Route table: name-tag dev-routetable, VPC dev-vpc; Edit routes: 0.0.0.0/0 -> dev-igw;
        //    Subnet Associations: dev-subnet-public (the step publicAssociation=off leaves it out).
        const routeTable = new RouteTable("dev-routetable", { vpc, routes: [{ destinationCidrBlock: "0.0.0.0/0", gateway: igw }] });
        if (associated) new RouteTableAssociation("dev-routetable-association", { subnet: publicSubnet, routeTable });

        // One instance in each subnet; their addresses come from the subnet, after AWS's reserved ones.
        const web = new Instance("dev-web", { subnet: publicSubnet, privateIpAddress: config.get("webIp") });
        const db = new Instance("dev-db", { subnet: privateSubnet, privateIpAddress: config.get("dbIp") });

        return {
            namespaces: [vpc.namespace, web.namespace, db.namespace, internet.namespace],
            publicAssociation: associated ? "on" : "off",
            routeTable: routeTable.table,
            mainRouteTable: vpc.mainRouteTable.table,
            webIp: web.privateIp,
            dbIp: db.privateIp,
            tryInternetFromWeb: pulumi.interpolate`ip netns exec ${web.namespace} ping -c 3 ${internet.ip}`,
            tryInternetFromDb: pulumi.interpolate`ip netns exec ${db.namespace} ping -c 3 ${internet.ip}`,
            tryRules: pulumi.interpolate`ip -n ${vpc.namespace} rule show`,
            tryRouteTable: pulumi.interpolate`ip -n ${vpc.namespace} route show table ${String(routeTable.table)}`,
            tryRouteGet: pulumi.interpolate`ip -n ${vpc.namespace} route get ${internet.ip} from ${web.privateIp} iif br-public`,
        };
    },

    checks(prefix, config) {
        const associated = association(config.publicAssociation) === "on";
        const webIp = config.webIp || VPC.webIp;
        const dbIp = config.dbIp || VPC.dbIp;
        const n = nodes(prefix, ["dev-web", "dev-db", "dev-vpc", "internet"] as const);
        const internetIp = VPC.internet.split("/")[0]!;
        const publicRouter = { label: "dev-vpc's router in dev-subnet-public", address: "192.168.1.1" };
        const privateRouter = { label: "dev-vpc's router in dev-subnet-private", address: "192.168.2.1" };
        const rules = (r: { stdout: string }) => JSON.parse(r.stdout || "[]") as { priority: number; src: string; srclen?: number; dst?: string; dstlen?: number; table?: string; action?: string }[];

        const checks: Check[] = [
            {
                title: `dev-web's address is ${webIp}/28, from dev-subnet-public's block after the five addresses AWS keeps`,
                argv: inNs(n["dev-web"].ns, "ip", "-j", "-4", "address", "show", "dev", "eth0"),
                expect: `eth0 has exactly one IPv4 address, ${webIp}/28`,
                ok: (r) => {
                    const infos = (JSON.parse(r.stdout || "[]") as { addr_info: { local: string; prefixlen: number }[] }[]).flatMap((l) => l.addr_info);
                    return infos.length === 1 && infos[0]!.local === webIp && infos[0]!.prefixlen === 28;
                },
            },
            reaches(n["dev-web"], publicRouter.address, publicRouter.label, { ttl: 64, why: "its default gateway, base+1 of the subnet" }),
            reaches(n["dev-web"], dbIp, "dev-db", { ttl: 63, why: "the local route: subnets of a VPC reach each other, with or without a gateway" }),
            {
                // Asked of the router, not pinged: a ping would need the router's ICMP error, and
                // the kernel allows a host only a few of those a second (the other checks need them).
                title: `dev-vpc drops dev-web's traffic to ${VPC.unusedIp}, in the VPC's block but in no subnet (the local route, rule 101), instead of sending it to the internet gateway`,
                argv: ["ip", "-n", n["dev-vpc"].ns, "-j", "route", "get", VPC.unusedIp, "from", webIp, "iif", "br-public"],
                expect: 'non-zero exit: "Network is unreachable" (without rule 101: table 101, via dev-igw, and back through the gateway until the TTL runs out)',
                ok: (r) => r.exitCode !== 0 && /Network is unreachable/.test(r.stderr),
            },
            {
                title: associated
                    ? `dev-vpc has the association rule: from ${VPC.publicSubnet} lookup ${VPC.routeTable} (dev-routetable), priority 1000`
                    : `dev-vpc has no rule for ${VPC.publicSubnet}: without its association, dev-subnet-public uses the main route table`,
                argv: ["ip", "-n", n["dev-vpc"].ns, "-j", "rule", "show"],
                expect: associated ? `a rule at priority 1000, from ${VPC.publicSubnet}, table ${VPC.routeTable}` : "no rule from 192.168.1.0/28",
                ok: (r) => {
                    const mine = rules(r).filter((x) => x.src === "192.168.1.0" && x.srclen === 28);
                    return associated ? mine.length === 1 && mine[0]!.priority === 1000 && mine[0]!.table === String(VPC.routeTable) : r.exitCode === 0 && mine.length === 0;
                },
            },
            {
                title: associated
                    ? `dev-vpc looks up dev-web's traffic to the internet in table ${VPC.routeTable}: via ${internetIp} dev dev-igw`
                    : "dev-vpc finds no route for dev-web's traffic to the internet: the main route table has none",
                argv: ["ip", "-n", n["dev-vpc"].ns, "-j", "route", "get", internetIp, "from", webIp, "iif", "br-public"],
                expect: associated ? `exit 0, table ${VPC.routeTable}, gateway ${internetIp}, dev dev-igw` : 'non-zero exit: "Network is unreachable" (rule 32001)',
                ok: (r) => {
                    if (!associated) return r.exitCode !== 0 && /Network is unreachable/.test(r.stderr);
                    const route = (JSON.parse(r.stdout || "[]") as { table?: string; gateway?: string; dev?: string }[])[0];
                    return r.exitCode === 0 && route?.table === String(VPC.routeTable) && route.gateway === internetIp && route.dev === "dev-igw";
                },
            },
            associated
                ? reaches(n["dev-web"], internetIp, "the internet", { ttl: 63, why: "dev-subnet-public's route table sends 0.0.0.0/0 to dev-igw" })
                : netUnreachable(n["dev-web"], internetIp, publicRouter),
            netUnreachable(n["dev-db"], internetIp, privateRouter),
        ];
        return checks;
    },
};

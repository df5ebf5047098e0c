// AWS's VPC building blocks (seed 001), each a ComponentResource named after the AWS term and made
// of this project's primitives. How the analogy maps:
//
//   Vpc                    a namespace: the VPC's implicit router (net.ipv4.ip_forward=1), and the
//                          three rules every VPC has: the "local" route, the main route table, the end
//   Subnet                 a segment: a bridge in the router's namespace, with the router's address
//                          (base+1, like AWS's VPC router) on it
//   Instance               a namespace with one interface, eth0 (its network interface, ENI): a veth
//                          whose other end, named after the instance, joins the subnet's bridge
//   InternetGateway        a veth from the router's namespace to the internet namespace; the route
//                          back to the VPC on the internet side stands in for the gateway's NAT
//   RouteTable             a Linux routing table (a number) in the router's namespace
//   RouteTableAssociation  a rule in the router's namespace: from SUBNET lookup TABLE
//
// The rules in the router's namespace, in the order the kernel tries them:
//   0      from all lookup local                  the router's own addresses (the kernel's)
//   100    from all to VPC_CIDR lookup main       "local": traffic within the VPC goes straight to
//                                                 the subnet's bridge (main holds their connected routes)
//   101    from all to VPC_CIDR unreachable       the rest of the "local" route: an address of the
//                                                 VPC's block in no subnet goes nowhere (without this it
//                                                 would follow the subnet's route table out of the VPC)
//   1000+n from SUBNET_n lookup TABLE             the subnet's explicit route table association
//   32000  from VPC_CIDR lookup 100               every other subnet: the VPC's main route table
//   32001  from VPC_CIDR unreachable              nothing else: a subnet's traffic ends in its route
//                                                 table (without this, main's routes would apply)
//
// Names and numbers are handed out in program order (route tables 101, 102, ...; subnet n gets
// association priority 1000+n), so they stay the same from one run to the next. Everything is
// checked before anything is made: a bad CIDR block or address stops the program with one
// sentence that says why (pulumi.RunError, no stack trace).
import * as pulumi from "@pulumi/pulumi";
import { Address, Bridge, interfaceNameProblem, Namespace, parseCidr, Route, Rule, Sysctl, VethPair } from "../../provider";
import { firstFree, instanceAddressProblem, routerAddress, subnetCidrProblem, vpcCidrProblem } from "./addressing";

export const LOCAL_RULE_PRIORITY = 100;
export const LOCAL_END_RULE_PRIORITY = 101;
export const ASSOCIATION_PRIORITY_BASE = 1000;
export const MAIN_ASSOCIATION_PRIORITY = 32000;
export const END_RULE_PRIORITY = 32001;
/** The Linux table of a VPC's main route table; the VPC's other route tables follow (101, 102, ...). */
export const MAIN_ROUTE_TABLE = 100;

function fail(what: string, name: string, problem: string): never {
    throw new pulumi.RunError(`${what} ${name}: ${problem}`);
}

function checkIfname(what: string, name: string, value: string, why: string): void {
    const problem = interfaceNameProblem(value);
    if (problem) fail(what, name, `"${value}" ${problem} (${why})`);
}

export interface VpcArgs {
    /** The VPC's IPv4 CIDR block, /16 to /28: 192.168.0.0/16. */
    cidrBlock: string;
    /** Put in front of every namespace name (the lesson's prefix). */
    namespacePrefix?: string;
}

/** A VPC: its implicit router, a namespace named after the VPC. */
export class Vpc extends pulumi.ComponentResource {
    readonly cidrBlock: string;
    readonly namespacePrefix: string;
    /** The router's namespace. Pass `vpc.namespace` to anything that lives in it. */
    readonly namespace: pulumi.Output<string>;
    readonly mainRouteTable: RouteTable;
    readonly subnets: Subnet[] = [];
    private nextTable = MAIN_ROUTE_TABLE;

    constructor(readonly vpcName: string, args: VpcArgs, opts?: pulumi.ComponentResourceOptions) {
        super("netns-aws:ec2:Vpc", vpcName, {}, opts);
        const problem = vpcCidrProblem(args.cidrBlock);
        if (problem) fail("Vpc", vpcName, problem);
        this.cidrBlock = args.cidrBlock;
        this.namespacePrefix = args.namespacePrefix ?? "";
        const parent = { parent: this };

        const router = new Namespace(vpcName, { name: `${this.namespacePrefix}${vpcName}` }, parent);
        this.namespace = router.name;
        new Sysctl(`${vpcName}-forward`, { namespace: this.namespace, key: "net.ipv4.ip_forward", value: "1" }, parent);

        // The "local" route of every route table: within the VPC, straight to the subnet's bridge.
        new Rule(`${vpcName}-local`, { namespace: this.namespace, priority: LOCAL_RULE_PRIORITY, to: this.cidrBlock, lookup: "main" }, parent);
        // AWS's local route covers the whole block: an address of the VPC in no subnet is dropped
        // in the VPC, not sent out through the subnet's route table (and, from a public subnet,
        // back and forth through the internet gateway until its TTL runs out).
        new Rule(`${vpcName}-local-end`, { namespace: this.namespace, priority: LOCAL_END_RULE_PRIORITY, to: this.cidrBlock, type: "unreachable" }, parent);
        // "VPC作成時に、...「ルートテーブル」というリソースも作成される": the main route table, for
        // every subnet without an association of its own.
        this.mainRouteTable = new RouteTable(`${vpcName}-main`, { vpc: this }, parent);
        new Rule(`${vpcName}-main-association`, { namespace: this.namespace, priority: MAIN_ASSOCIATION_PRIORITY, from: this.cidrBlock, lookup: this.mainRouteTable.table }, parent);
        new Rule(`${vpcName}-end`, { namespace: this.namespace, priority: END_RULE_PRIORITY, from: this.cidrBlock, type: "unreachable" }, parent);
        this.registerOutputs({ namespace: this.namespace });
    }

    /** The next free Linux routing table number (used by RouteTable). */
    allocateTable(): number {
        return this.nextTable++;
    }
}

export interface SubnetArgs {
    vpc: Vpc;
    /** The subnet's block, inside the VPC's and overlapping no other subnet: 192.168.1.0/28. */
    cidrBlock: string;
    /** The name of the subnet's bridge in the router's namespace (at most 15 characters). */
    bridge: string;
}

/** A subnet: a bridge in the VPC router's namespace, with the router's address base+1 on it. */
export class Subnet extends pulumi.ComponentResource {
    readonly vpc: Vpc;
    readonly cidrBlock: string;
    /** Position in the VPC (0, 1, ...): its association rule's priority is 1000 + index. */
    readonly index: number;
    /** The VPC router's address in this subnet, without prefix: the instances' default gateway. */
    readonly routerIp: string;
    readonly bridge: Bridge;
    /** The router's address on the bridge: a route through the router waits for it. */
    readonly routerAddress: Address;
    association: RouteTableAssociation | undefined;
    private readonly taken: string[] = [];

    constructor(readonly subnetName: string, args: SubnetArgs, opts?: pulumi.ComponentResourceOptions) {
        super("netns-aws:ec2:Subnet", subnetName, {}, opts);
        const { vpc } = args;
        const problem = subnetCidrProblem({ name: vpc.vpcName, cidrBlock: vpc.cidrBlock }, args.cidrBlock,
            vpc.subnets.map((s) => ({ name: s.subnetName, cidrBlock: s.cidrBlock })));
        if (problem) fail("Subnet", subnetName, problem);
        checkIfname("Subnet", subnetName, args.bridge, "the bridge's name");
        this.vpc = vpc;
        this.cidrBlock = args.cidrBlock;
        this.index = vpc.subnets.length;
        vpc.subnets.push(this);
        const router = routerAddress(args.cidrBlock);
        this.routerIp = router.split("/")[0]!;

        this.bridge = new Bridge(`${subnetName}-bridge`, { name: args.bridge, namespace: vpc.namespace }, { parent: this });
        this.routerAddress = new Address(`${subnetName}-router`, { namespace: vpc.namespace, dev: this.bridge.name, address: router }, { parent: this });
        this.registerOutputs({});
    }

    /** An instance's address: the one asked for, checked against AWS's rules, or the first free one. */
    assign(instance: string, address: string | undefined): string {
        const me = { name: this.subnetName, cidrBlock: this.cidrBlock };
        const chosen = address ?? firstFree(this.cidrBlock, this.taken);
        if (chosen === undefined) fail("Instance", instance, `subnet ${this.subnetName} (${this.cidrBlock}) has no free address left`);
        const problem = instanceAddressProblem(me, chosen, this.taken);
        if (problem) fail("Instance", instance, problem);
        this.taken.push(chosen);
        return chosen;
    }

    get prefixLength(): number {
        return parseCidr(this.cidrBlock)!.prefix;
    }
}

export interface InternetArgs {
    /** The outside world's address, a documentation address with its prefix: 203.0.113.1/24. */
    address: string;
    namespacePrefix?: string;
}

/** Not AWS: a namespace that stands for the internet, reached through an internet gateway. */
export class Internet extends pulumi.ComponentResource {
    readonly namespace: pulumi.Output<string>;
    readonly address: string;
    /** The address without its prefix: what an instance pings. */
    readonly ip: string;

    constructor(name: string, args: InternetArgs, opts?: pulumi.ComponentResourceOptions) {
        super("netns-aws:ec2:Internet", name, {}, opts);
        const c = parseCidr(args.address);
        if (!c || c.family !== 4) fail("Internet", name, `"${args.address}" is not an IPv4 address with its prefix, such as 203.0.113.1/24`);
        this.address = args.address;
        this.ip = args.address.split("/")[0]!;
        this.namespace = new Namespace(name, { name: `${args.namespacePrefix ?? ""}${name}` }, { parent: this }).name;
        this.registerOutputs({ namespace: this.namespace });
    }
}

export interface InternetGatewayArgs {
    /** The VPC it is attached to ("Actions > Attach to VPC"). */
    vpc: Vpc;
    internet: Internet;
    /** The gateway's own address on the internet's segment, with its prefix: 203.0.113.254/24. */
    address: string;
}

/**
 * An internet gateway attached to a VPC: a veth named after the gateway in the router's namespace,
 * eth0 in the internet's. A route table that routes to it sends packets out of that veth to the
 * internet's address. AWS's gateway also translates each instance's private address to its
 * public IP (1:1 NAT); `ip` cannot do that, so instead the internet gets a route back to the
 * VPC's block via the gateway, as if the private addresses were public.
 */
export class InternetGateway extends pulumi.ComponentResource {
    readonly vpc: Vpc;
    /** The gateway's interface in the router's namespace: a route's `dev`. */
    readonly device: pulumi.Output<string>;
    /** The internet's address: a route's `via`. */
    readonly nextHop: string;
    /** What a route through the gateway must wait for: the router's address on the link. */
    readonly attachment: Address;

    constructor(name: string, args: InternetGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("netns-aws:ec2:InternetGateway", name, {}, opts);
        const { vpc, internet } = args;
        checkIfname("InternetGateway", name, name, "its name is the name of its interface in the VPC router");
        const gw = parseCidr(args.address), outside = parseCidr(internet.address);
        if (!gw || gw.family !== 4) fail("InternetGateway", name, `"${args.address}" is not an IPv4 address with its prefix, such as 203.0.113.254/24`);
        if (!outside || gw.prefix !== outside.prefix || (gw.value >> BigInt(32 - gw.prefix)) !== (outside.value >> BigInt(32 - gw.prefix)) || gw.value === outside.value) {
            fail("InternetGateway", name, `${args.address} must be another address on the internet's segment (${internet.address})`);
        }
        this.vpc = vpc;
        this.nextHop = internet.ip;
        const parent = { parent: this };

        const cable = new VethPair(name, { name, namespace: vpc.namespace, peerName: "eth0", peerNamespace: internet.namespace }, parent);
        this.device = cable.name;
        this.attachment = new Address(`${name}-address`, { namespace: vpc.namespace, dev: cable.name, address: args.address }, parent);
        const outsideIp = new Address(`${name}-internet-address`, { namespace: internet.namespace, dev: cable.peerName, address: internet.address }, parent);
        // Instead of the gateway's NAT: the internet knows the VPC's block is behind the gateway.
        new Route(`${name}-return`, { namespace: internet.namespace, to: vpc.cidrBlock, via: args.address.split("/")[0]! }, { ...parent, dependsOn: [outsideIp] });
        this.registerOutputs({ device: this.device });
    }
}

export interface RouteArgs {
    /** "Destination": 0.0.0.0/0 or a network. */
    destinationCidrBlock: string;
    /** "Target": the internet gateway. */
    gateway: InternetGateway;
}

export interface RouteTableArgs {
    vpc: Vpc;
    /** The routes besides "local" (which every route table has: the VPC's rule 100). */
    routes?: RouteArgs[];
}

/** A route table: a Linux routing table, numbered in program order from 100 (the VPC's main one). */
export class RouteTable extends pulumi.ComponentResource {
    readonly vpc: Vpc;
    /** The Linux table number, as in `ip route show table N`. */
    readonly table: number;

    constructor(name: string, args: RouteTableArgs, opts?: pulumi.ComponentResourceOptions) {
        super("netns-aws:ec2:RouteTable", name, {}, opts);
        this.vpc = args.vpc;
        this.table = args.vpc.allocateTable();
        for (const r of args.routes ?? []) {
            const to = parseCidr(r.destinationCidrBlock);
            if (!to || to.family !== 4) fail("RouteTable", name, `destination "${r.destinationCidrBlock}" is not an IPv4 network such as 0.0.0.0/0`);
            if (r.gateway.vpc !== args.vpc) fail("RouteTable", name, "the gateway is attached to another VPC");
            const slug = r.destinationCidrBlock === "0.0.0.0/0" ? "default" : r.destinationCidrBlock.replace(/[./]/g, "-");
            new Route(`${name}-${slug}`, {
                namespace: args.vpc.namespace, to: r.destinationCidrBlock, via: r.gateway.nextHop, dev: r.gateway.device, table: this.table,
            }, { parent: this, dependsOn: [r.gateway.attachment] });
        }
        this.registerOutputs({ table: this.table });
    }
}

export interface RouteTableAssociationArgs {
    subnet: Subnet;
    routeTable: RouteTable;
}

/** "Subnet Associations": the subnet's traffic is looked up in this route table. One per subnet. */
export class RouteTableAssociation extends pulumi.ComponentResource {
    readonly rule: Rule;

    constructor(name: string, args: RouteTableAssociationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("netns-aws:ec2:RouteTableAssociation", name, {}, opts);
        const { subnet, routeTable } = args;
        if (subnet.vpc !== routeTable.vpc) fail("RouteTableAssociation", name, `subnet ${subnet.subnetName} and the route table belong to different VPCs`);
        if (subnet.association) fail("RouteTableAssociation", name, `subnet ${subnet.subnetName} is already associated with a route table; a subnet has one`);
        subnet.association = this;
        this.rule = new Rule(`${name}-rule`, {
            namespace: subnet.vpc.namespace, priority: ASSOCIATION_PRIORITY_BASE + subnet.index, from: subnet.cidrBlock, lookup: routeTable.table,
        }, { parent: this });
        this.registerOutputs({});
    }
}

export interface InstanceArgs {
    subnet: Subnet;
    /** The private IPv4 address, without prefix. Left out: the subnet's first free one (base+4 first). */
    privateIpAddress?: string;
}

/** An instance: a namespace named after it, on its subnet through eth0, default route via the VPC router. */
export class Instance extends pulumi.ComponentResource {
    readonly namespace: pulumi.Output<string>;
    readonly privateIp: string;

    constructor(name: string, args: InstanceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("netns-aws:ec2:Instance", name, {}, opts);
        const { subnet } = args;
        const vpc = subnet.vpc;
        checkIfname("Instance", name, name, "its name is the name of its port on the subnet's bridge");
        this.privateIp = subnet.assign(name, args.privateIpAddress);
        const parent = { parent: this };

        const host = new Namespace(name, { name: `${vpc.namespacePrefix}${name}` }, parent);
        this.namespace = host.name;
        const eni = new VethPair(`${name}-eni`, {
            name: "eth0", namespace: host.name, peerName: name, peerNamespace: vpc.namespace, peerMaster: subnet.bridge.name,
        }, parent);
        const ip = new Address(`${name}-ip`, { namespace: host.name, dev: eni.name, address: `${this.privateIp}/${subnet.prefixLength}` }, parent);
        new Route(`${name}-default`, { namespace: host.name, to: "default", via: subnet.routerIp }, { ...parent, dependsOn: [ip] });
        this.registerOutputs({ namespace: this.namespace, privateIp: this.privateIp });
    }
}

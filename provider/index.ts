// pulumi-netns: the resource classes and their argument types. Nothing internal is exported.
// Each class has every input as an output, plus what the kernel computes (ifindex, mac, ...).
export { Namespace, type NamespaceArgs } from "./kinds/namespace";
export { VethPair, type VethPairArgs } from "./kinds/veth";
export { Address, type AddressArgs } from "./kinds/address";
export { Route, type RouteArgs } from "./kinds/route";
export { Sysctl, type SysctlArgs } from "./kinds/sysctl";
export { Bridge, type BridgeArgs } from "./kinds/bridge";
export { Rule, type RuleArgs } from "./kinds/rule";
export { LinkShaping, type LinkShapingArgs } from "./kinds/shaping";
export { Tunnel, type TunnelArgs } from "./kinds/tunnel";

// Address arithmetic and name rules, for components built on these resources (stacks/aws does).
export { interfaceNameProblem } from "./engine/fields";
export { contains, formatCidr, formatIp, hostMask, isBroadcast, isNetworkAddress, parseCidr, parseIp, type Cidr, type Family, type Ip } from "./model/net";

// The picture of a stack (graph/): from the JSON of `pulumi stack export` to DOT, SVG and PNG.
export { stackToDot, stackToSvg, StackGraphError, type GraphOptions, type StackExport } from "../graph/render";
export { svgToPng } from "../graph/png";

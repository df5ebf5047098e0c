// pulumi-netns: the resource classes and their argument types. Nothing internal is exported.
// Each class has every input as an output, plus what the kernel computes (ifindex, mac, ...).
export { Namespace, type NamespaceArgs } from "./namespace";
export { VethPair, type VethPairArgs } from "./veth";
export { Address, type AddressArgs } from "./address";
export { Route, type RouteArgs } from "./route";
export { Sysctl, type SysctlArgs } from "./sysctl";
export { Bridge, type BridgeArgs } from "./bridge";
export { Rule, type RuleArgs } from "./rule";

// Address arithmetic and name rules, for components built on these resources (stacks/aws does).
export { interfaceNameProblem } from "./fields";
export { contains, formatCidr, formatIp, hostMask, isBroadcast, isNetworkAddress, parseCidr, parseIp, type Cidr, type Family, type Ip } from "./net";

// The picture of a stack (graph/): from the JSON of `pulumi stack export` to DOT, SVG and PNG.
export { stackToDot, stackToSvg, StackGraphError, type GraphOptions, type StackExport } from "../graph/render";
export { svgToPng } from "../graph/png";

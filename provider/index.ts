// pulumi-netns: the resource classes. Nothing internal is exported.
export { Namespace, type NamespaceInputs } from "./namespace";
export { VethPair, type VethPairInputs } from "./veth";
export { Address, type AddressInputs } from "./address";
export { Route, type RouteInputs } from "./route";
export { Sysctl, type SysctlInputs } from "./sysctl";
export { Bridge, type BridgeInputs } from "./bridge";
export { Rule, type RuleInputs } from "./rule";
// The picture of a stack (graph/): from the JSON of `pulumi stack export` to DOT, SVG and PNG.
export { stackToDot, stackToSvg, StackGraphError, type GraphOptions, type StackExport } from "../graph/render";
export { svgToPng } from "../graph/png";

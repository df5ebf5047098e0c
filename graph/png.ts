// SVG to PNG with resvg (Rust, shipped prebuilt in the npm package): no browser, no system
// fonts. The text is set in DejaVu Sans, loaded from the TTF files of the dejavu-fonts-ttf
// package by path, and the SVG names that same family, so the PNG looks like the SVG on any
// machine, fonts installed or not.

/** The font files the pictures use (regular, bold, mono), from the dejavu-fonts-ttf package. */
export function fontFiles(): string[] {
    return ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"]
        .map((f) => require.resolve(`dejavu-fonts-ttf/ttf/${f}`));
}

/** Renders an SVG (from stackToSvg) to PNG bytes, at `scale` times its size (default 1.5, sharp on most screens). */
export function svgToPng(svg: string, scale = 1.5): Buffer {
    const { Resvg } = require("@resvg/resvg-js") as typeof import("@resvg/resvg-js");
    const r = new Resvg(svg, {
        background: "white",
        fitTo: { mode: "zoom", value: scale },
        font: { loadSystemFonts: false, fontFiles: fontFiles(), defaultFontFamily: "DejaVu Sans", monospaceFamily: "DejaVu Sans Mono" },
    });
    return r.render().asPng();
}

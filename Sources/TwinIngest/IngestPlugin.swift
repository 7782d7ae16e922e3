import TwinRuntime

/// The `ingest` plugin: the scene's `bindings` section (how external messages map
/// to entity state) and the `LiveReported` component. It adds no system: live data
/// reaches the world through `IngestHub`, which feeds the simulation's command
/// queue, so a scene with bindings runs unchanged (as a what-if) without any feed.
public enum IngestPlugin: TwinPlugin {
    public static let name = "ingest"

    public static func register(in catalog: inout SystemCatalog) {
        catalog.register(component: LiveReported.self)
        catalog.register(
            section: "bindings",
            summary: "Live data: which messages (source, topic or table, id field) drive which entity fields, with units, scaling, enumerations, site frames, semantics (latest, interpolate, count, event) and the late-message policy.",
            schema: BindingSchema.schema) { json, ctx throws(JSONDecodingError) in
                ctx.world.setResource(LiveBindings(list: try BindingDecoding.decodeSection(json, ctx)))
            }
    }
}

extension IngestPlugin {
    /// Adds the plugin to `SystemCatalog.standard` for the rest of the process (once;
    /// further calls do nothing), and lets restores replay ingest journals (states saved
    /// from live-fed worlds). `twin` does it at start-up; so do the live runner and the
    /// server, which host live twins.
    public static func enable() {
        SystemCatalog.addPlugins([IngestPlugin.self])
        JournalReplay.register { path, sim in try IngestHub.replayFeed(path: path, into: sim) }
    }
}

import EnergyPlugin
import TwinCommandLine

// `twin` with the energy plugin: every command (run, validate, systems, schema, …)
// knows `energy.battery-drain` and `Battery`.
TwinCommandLine.main(plugins: [EnergyPlugin.self])

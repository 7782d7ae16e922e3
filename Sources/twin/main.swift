import TwinCommandLine

// The stock `twin`: the built-in plugins only. A program with its own plugins calls
// `TwinCommandLine.main(plugins:)` the same way (see Tools/plugin-template).
TwinCommandLine.main()

@_exported import TwinCore
@_exported import TwinCorePlugin

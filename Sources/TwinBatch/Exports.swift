@_exported import TwinRuntime

// TwinCore re-exports the math and ECS layers: a plugin imports TwinCore alone.
@_exported import TwinECS
@_exported import TwinMath

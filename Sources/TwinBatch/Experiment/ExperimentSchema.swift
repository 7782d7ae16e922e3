/// The JSON Schema (draft 2020-12) of `twin-experiment/1`, for editors and CI
/// (`twin sweep schema`). The loader is stricter (it also checks the experiment
/// against its scene); the tests keep both accepting the shipped experiments.
public enum ExperimentSchema {
    public static let text = #"""
    {
      "$schema": "https://json-schema.org/draft/2020-12/schema",
      "$id": "https://twinworld.dev/schema/twin-experiment-1.json",
      "title": "twin-experiment/1",
      "description": "A what-if experiment for twin sweep: a scene, a parameter space, replications, KPIs.",
      "type": "object",
      "required": ["format", "name", "kpis"],
      "oneOf": [{"required": ["scene"]}, {"required": ["fromState"]}],
      "additionalProperties": false,
      "properties": {
        "format": {"const": "twin-experiment/1"},
        "name": {"type": "string", "minLength": 1},
        "description": {"type": "string"},
        "scene": {"type": "string", "description": "Scene file, relative to the experiment file"},
        "fromState": {"type": "string", "description": "Fork every run from this saved state (twin run --save-state), relative to the experiment file, or a live world on a twin server: http://HOST:PORT/api/worlds/ID/state (fetched once per results database)"},
        "commands": {"type": "array", "items": {"type": "object"}, "description": "World commands applied at the fork; {\"$param\": name} stands for a parameter's value"},
        "seed": {"type": "integer", "minimum": 0, "description": "Experiment seed; replication r uses a world seed derived from it and r"},
        "parameters": {
          "type": "object",
          "additionalProperties": {
            "oneOf": [
              {"type": ["number", "string", "boolean"]},
              {"type": "object", "required": ["values"], "additionalProperties": false,
               "properties": {"values": {"type": "array", "minItems": 1, "items": {"type": ["number", "string", "boolean"]}}}},
              {"type": "object", "required": ["from", "to"], "additionalProperties": false,
               "properties": {"from": {"type": "number"}, "to": {"type": "number"}, "step": {"type": "number", "exclusiveMinimum": 0},
                              "count": {"type": "integer", "minimum": 1}}}
            ]
          }
        },
        "design": {
          "type": "object", "required": ["kind"], "additionalProperties": false,
          "properties": {"kind": {"enum": ["grid", "latin-hypercube", "random"]}, "samples": {"type": "integer", "minimum": 1}}
        },
        "replications": {"type": "integer", "minimum": 1},
        "kpis": {
          "type": "array", "minItems": 1,
          "items": {"oneOf": [
            {"type": "string"},
            {"type": "object", "required": ["name", "statistic"], "additionalProperties": false,
             "properties": {"name": {"type": "string"}, "statistic": {"enum": ["final", "mean", "increase"]}}}
          ]}
        },
        "duration": {"type": "number", "minimum": 0, "description": "Run length, s"},
        "warmup": {"type": "number", "minimum": 0, "description": "Seconds whose samples mean/increase KPIs ignore"},
        "stopWhen": {"type": "array", "items": {"type": "object"}},
        "timeout": {"type": "number", "exclusiveMinimum": 0, "description": "Wall-clock seconds per run"},
        "sequential": {
          "type": "object", "required": ["kpi", "halfWidth", "maxReplications"], "additionalProperties": false,
          "properties": {"kpi": {"type": "string"}, "halfWidth": {"type": "number", "exclusiveMinimum": 0},
                         "maxReplications": {"type": "integer", "minimum": 2}}
        },
        "optimize": {
          "type": "object", "required": ["goal", "objective"], "additionalProperties": false,
          "properties": {
            "goal": {"enum": ["minimize", "maximize"]},
            "objective": {"type": "array", "minItems": 1, "items": {
              "type": "object", "required": ["weight"], "additionalProperties": false,
              "properties": {"kpi": {"type": "string"}, "parameter": {"type": "string"}, "weight": {"type": "number"}}}},
            "constraints": {"type": "array", "items": {
              "type": "object", "required": ["kpi"], "additionalProperties": false,
              "properties": {"kpi": {"type": "string"}, "atMost": {"type": "number"}, "atLeast": {"type": "number"}}}},
            "replications": {"type": "integer", "minimum": 1},
            "maxEvaluations": {"type": "integer", "minimum": 1, "maximum": 100000},
            "start": {"type": "object", "additionalProperties": {"type": "number"}}
          }
        }
      }
    }
    """#
}

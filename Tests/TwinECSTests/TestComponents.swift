import TwinECS

struct Pos: Component, Equatable { var x: Float; var y: Float }
struct Vel: Component, Equatable { var dx: Float; var dy: Float }
struct Tag: Component, Equatable { var label: String }
struct Health: Component, Equatable { var hp: Int }

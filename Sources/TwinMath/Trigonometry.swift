#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Thin wrappers so the rest of TwinMath needs no Foundation. libm's float functions
// are correctly rounded enough and, unlike hand-written series, identical on every run.
@inlinable @inline(__always) public func _sin(_ x: Float) -> Float { sinf(x) }
@inlinable @inline(__always) public func _cos(_ x: Float) -> Float { cosf(x) }
@inlinable @inline(__always) public func _tan(_ x: Float) -> Float { tanf(x) }
@inlinable @inline(__always) public func _acos(_ x: Float) -> Float { acosf(max(-1, min(1, x))) }
@inlinable @inline(__always) public func _atan2(_ y: Float, _ x: Float) -> Float { atan2f(y, x) }
@inlinable @inline(__always) public func _log(_ x: Double) -> Double { log(x) }
@inlinable @inline(__always) public func _exp(_ x: Float) -> Float { expf(x) }
@inlinable @inline(__always) public func _exp(_ x: Double) -> Double { exp(x) }
@inlinable @inline(__always) public func _sqrt(_ x: Double) -> Double { x.squareRoot() }
@inlinable @inline(__always) public func _cosD(_ x: Double) -> Double { cos(x) }

import Foundation
import Testing
@testable import TwinPedestrians

/// The force model's elliptical social terms (Helbing & Molnár 1995; Johansson, Helbing &
/// Shukla 2007) push along `e^{−b/B}·∇b`, the negative gradient of the potential
/// `B·e^{−b/B}`, with b the semi-minor axis of the ellipse through the agent whose foci
/// are the other agent and that point moved by y.
@Suite("pedestrians: elliptical social terms")
struct SocialTermTests {
    /// b(d) = ½·√((|d| + |d − y|)² − |y|²).
    static func semiMinor(_ dx: Double, _ dz: Double, _ yx: Double, _ yz: Double) -> Double {
        let s = (dx * dx + dz * dz).squareRoot() + ((dx - yx) * (dx - yx) + (dz - yz) * (dz - yz)).squareRoot()
        return 0.5 * (s * s - (yx * yx + yz * yz)).squareRoot()
    }

    /// Against central differences of the potential (h = 1e-5 m, in Double): within
    /// 1e-3 relative (the model computes in Float).
    @Test("the force is the negative gradient of B·e^{−b/B}")
    func gradient() {
        let cases: [(Double, Double, Double, Double, Double)] = [
            (0.8, 0.1, 0.67, 0, 3.22), (-0.7, 0.3, -0.5, 0.2, 3.22), (0.3, -0.9, 1.2, 0.4, 0.3),
            (-1.5, 0.05, 2.68, 0, 0.3), (0.6, 0.6, 0, 0, 1),
        ]
        let h = 1e-5
        for (dx, dz, yx, yz, range) in cases {
            func potential(_ x: Double, _ z: Double) -> Double { range * exp(-Self.semiMinor(x, z, yx, yz) / range) }
            let fx = -(potential(dx + h, dz) - potential(dx - h, dz)) / (2 * h)
            let fz = -(potential(dx, dz + h) - potential(dx, dz - h)) / (2 * h)
            let g = SocialForceSystem.ellipseGradient(Float(dx), Float(dz), Float((dx * dx + dz * dz).squareRoot()), Float(yx), Float(yz), Float(1 / range))
            let size = (fx * fx + fz * fz).squareRoot()
            #expect(abs(Double(g.x) - fx) <= 1e-3 * size && abs(Double(g.z) - fz) <= 1e-3 * size, "d = (\(dx), \(dz)), y = (\(yx), \(yz)): \(g) vs (\(fx), \(fz))")
        }
    }

    /// With y = 0 the ellipse is the circle b = |d|: the circular push e^{−|d|/B} along d.
    @Test("without motion the ellipse is a circle")
    func circle() {
        let g = SocialForceSystem.ellipseGradient(0.6, -0.8, 1, 0, 0, 1 / 3.22)
        let size = Float(exp(-1 / 3.22))
        #expect(abs(g.x - 0.6 * size) <= 1e-6 && abs(g.z + 0.8 * size) <= 1e-6, "\(g)")
    }

    /// Inside the segment from 0 to y the ellipse degenerates (b = 0) and the two unit
    /// vectors cancel: no push. At its end d = y the published gradient is unbounded; the
    /// floor b ≥ 0.1 mm keeps it finite, at most (|d| + |d − y|)/(4·0.1 mm).
    @Test("a degenerate ellipse gives a finite push")
    func degenerate() {
        let inside = SocialForceSystem.ellipseGradient(1, 0, 1, 2.68, 0, 1 / 0.3)
        #expect(abs(inside.x) < 1e-3 && inside.z == 0, "\(inside)")
        for y in [Float(2.68), 0.5] {
            let g = SocialForceSystem.ellipseGradient(y, 0, y, y, 0, 1 / 0.3)
            #expect(g.x.isFinite && g.x > 0 && g.x <= y / 4e-4 && g.z == 0, "d = y = \(y): \(g)")
        }
    }
}

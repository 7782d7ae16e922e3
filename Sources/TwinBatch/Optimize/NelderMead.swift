/// The Nelder–Mead downhill simplex method (Nelder & Mead 1965, *Comput. J.* 7:308),
/// with the standard coefficients — reflection 1, expansion 2, contraction ½,
/// shrink ½ — and the ordering and tie rules of Lagarias et al. (1998, *SIAM J.
/// Optim.* 9:112), on the unit box: every trial point is clamped into [0, 1]^d.
///
/// Derivative-free and robust to the mild noise simulation KPIs keep under common
/// random numbers, which is why the batch optimiser uses it.
public struct NelderMead {
    public var maxEvaluations: Int
    /// Stop when the simplex's values differ by at most this and its vertices by at most `xTolerance`.
    public var fTolerance: Double
    public var xTolerance: Double
    /// Initial simplex edge (in unit-box coordinates).
    public var initialStep: Double

    public init(maxEvaluations: Int, fTolerance: Double = 1e-6, xTolerance: Double = 1e-3, initialStep: Double = 0.25) {
        self.maxEvaluations = maxEvaluations; self.fTolerance = fTolerance; self.xTolerance = xTolerance; self.initialStep = initialStep
    }

    public struct Outcome { public var x: [Double]; public var value: Double; public var evaluations: Int }

    public func minimize(start: [Double], _ f: ([Double]) -> Double) -> Outcome {
        let d = start.count
        var evaluations = 0
        func clamp(_ x: [Double]) -> [Double] { x.map { Swift.min(1, Swift.max(0, $0)) } }
        // Past the budget a trial point counts as worst, so the step in progress ends without calling f.
        func eval(_ x: [Double]) -> Double {
            guard evaluations < maxEvaluations else { return .infinity }
            evaluations += 1
            let v = f(x)
            return v.isNaN ? .infinity : v
        }
        var simplex: [(x: [Double], f: Double)] = []
        let x0 = clamp(start)
        simplex.append((x0, eval(x0)))
        for i in 0..<d {
            var x = x0
            // Step away from the nearer wall so the vertex stays distinct after clamping.
            x[i] += x0[i] + initialStep <= 1 ? initialStep : -initialStep
            x = clamp(x)
            simplex.append((x, eval(x)))
        }
        while evaluations < maxEvaluations {
            simplex.sort { $0.f < $1.f }
            let best = simplex[0], worst = simplex[d]
            let spreadF = abs(worst.f - best.f)
            let spreadX = simplex.dropFirst().map { v in zip(v.x, best.x).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 0
            if spreadF <= fTolerance && spreadX <= xTolerance { break }
            var centroid = [Double](repeating: 0, count: d)
            for v in simplex.dropLast() { for i in 0..<d { centroid[i] += v.x[i] / Double(d) } }
            func along(_ t: Double) -> [Double] { clamp((0..<d).map { centroid[$0] + t * (worst.x[$0] - centroid[$0]) }) }
            let xr = along(-1), fr = eval(xr)
            if fr < best.f {
                let xe = along(-2), fe = eval(xe)
                simplex[d] = fe < fr ? (xe, fe) : (xr, fr)
            } else if fr < simplex[d - 1].f {
                simplex[d] = (xr, fr)
            } else {
                // Outside contraction when the reflection improved on the worst, inside otherwise.
                let outside = fr < worst.f
                let xc = along(outside ? -0.5 : 0.5), fc = eval(xc)
                if fc < (outside ? fr : worst.f) {
                    simplex[d] = (xc, fc)
                } else {
                    for i in 1...d {
                        let x = clamp((0..<d).map { best.x[$0] + 0.5 * (simplex[i].x[$0] - best.x[$0]) })
                        simplex[i] = (x, eval(x))
                    }
                }
            }
        }
        simplex.sort { $0.f < $1.f }
        return Outcome(x: simplex[0].x, value: simplex[0].f, evaluations: evaluations)
    }
}

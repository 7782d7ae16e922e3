import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TwinBatch
import TwinRuntime

/// A sweep that forks from a live world: the experiment's `fromState` is the
/// server's `GET /api/worlds/ID/state`. The state is fetched once and kept beside
/// the results database (`DB.state.json`), so every run — and a `--resume` days
/// later — forks from the same moment, not from wherever the live world is now.
enum RemoteState {
    /// Points `e` at the local copy of its remote state, fetching it unless a resume
    /// finds one already.
    static func resolve(_ e: inout Experiment, cache: String, resume: Bool, token: String?) throws {
        guard let url = e.fromState, Experiment.isRemote(url) else { return }
        if !(resume && FileManager.default.fileExists(atPath: cache)) {
            let bytes = try fetch(url, token: token)
            do { _ = try Checkpoint.decode(bytes, file: url) } catch {
                throw RemoteStateError("\(url) did not answer with a saved state: \(error)")
            }
            do { try Data(bytes).write(to: URL(fileURLWithPath: cache), options: .atomic) } catch {
                throw RemoteStateError("cannot write \(cache): \(error.localizedDescription)")
            }
        }
        e.fromState = cache
        e.scenePath = cache
    }

    static func fetch(_ address: String, token: String?) throws -> [UInt8] {
        guard let url = URL(string: address) else { throw RemoteStateError("fromState: \"\(address)\" is not a URL") }
        var request = URLRequest(url: url, timeoutInterval: 120)
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, error in
            outcome.set(data: data, status: (response as? HTTPURLResponse)?.statusCode, error: error)
            done.signal()
        }.resume()
        done.wait()
        let (data, status, error) = outcome.get()
        if let error { throw RemoteStateError("cannot fetch \(address): \(error.localizedDescription)") }
        guard status == 200, let data else {
            let text = data.map { String(decoding: $0.prefix(300), as: UTF8.self) } ?? ""
            throw RemoteStateError("\(address) answered \(status.map(String.init) ?? "nothing"): \(text)")
        }
        return [UInt8](data)
    }

    /// The completion handler's results, handed to the waiting thread.
    private final class Outcome: @unchecked Sendable {
        private let lock = NSLock()
        private var data: Data?
        private var status: Int?
        private var error: (any Error)?
        func set(data: Data?, status: Int?, error: (any Error)?) { lock.withLock { self.data = data; self.status = status; self.error = error } }
        func get() -> (Data?, Int?, (any Error)?) { lock.withLock { (data, status, error) } }
    }
}

struct RemoteStateError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

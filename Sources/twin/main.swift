import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// Exit codes: 0 success, 1 invalid input or failed run, 2 usage error.
/// ArgumentParser's own usage code (64) is mapped to 2, as `twin validate` promises.
do {
    var command = try Twin.parseAsRoot()
    do {
        try command.run()
    } catch {
        Twin.exit(withError: error)
    }
} catch {
    let code = Twin.exitCode(for: error)
    if code == .success {
        print(Twin.fullMessage(for: error))
        exit(0)
    }
    FileHandleOutput.standardError(Twin.fullMessage(for: error))
    exit(2)
}

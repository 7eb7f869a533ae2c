package dev.whittle.sandbox;

import dev.whittle.ffi.Posix;
import dev.whittle.store.AtomicFiles;
import dev.whittle.store.Store;
import java.io.File;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An SSH agent forwarded into one RUN ({@code RUN --mount=type=ssh}), as BuildKit does it: a socket of its own, owned
 * and moded as the mount asks, relaying every connection to the agent the user gave ({@code --ssh ID=SOCKET}) or to
 * an agent whittle starts with the user's keys ({@code --ssh ID=KEY}), so no key is ever in the container or on disk
 * beyond the user's own file. Sockets live under /run (a socket path may not exceed 107 bytes; a store path may).
 */
public final class SshForward implements AutoCloseable {
    private final Path socket;
    private final ServerSocketChannel server;
    private final Process agent;
    private final Path agentSocket;

    private SshForward(Path socket, ServerSocketChannel server, Process agent, Path agentSocket) {
        this.socket = socket;
        this.server = server;
        this.agent = agent;
        this.agentSocket = agentSocket;
    }

    /** Where a store's forwarding sockets live (a dead process's are {@link Leftovers}). */
    public static Path socketDir(Store store) {
        return RuntimeDir.of(store, RuntimeDir.SSH);
    }

    /**
     * Starts forwarding.
     *
     * @param sources one agent socket, or private key files for an agent of its own
     */
    public static SshForward start(Store store, List<Path> sources, long uid, long gid, int mode) throws IOException {
        Process agent = null;
        Path upstream;
        Path dir = Files.createDirectories(socketDir(store));
        if (sources.size() == 1 && isSocket(sources.getFirst())) {
            upstream = sources.getFirst();
        } else {
            upstream = AtomicFiles.tempName(dir, "agent-", ".sock");
            agent = startAgent(upstream, sources);
        }
        Path socket = AtomicFiles.tempName(dir, "ssh-", ".sock");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket));
            Posix.lchown(socket, uid, gid);
            Posix.chmod(socket, mode);
        } catch (IOException e) {
            server.close();
            Files.deleteIfExists(socket);
            if (agent != null) agent.getOutputStream().close();
            throw e;
        }
        UnixDomainSocketAddress to = UnixDomainSocketAddress.of(upstream);
        Thread.ofVirtual().name("whittle-ssh-forward").start(() -> {
            while (server.isOpen()) {
                try {
                    SocketChannel in = server.accept();
                    Thread.ofVirtual().start(() -> relay(in, to));
                } catch (IOException closed) {
                    return;
                }
            }
        });
        return new SshForward(socket, server, agent, agent == null ? null : upstream);
    }

    /** The socket to bind-mount into the container. */
    public Path socket() {
        return socket;
    }

    private static boolean isSocket(Path p) throws IOException {
        try {
            return Posix.lstat(p) != null && (Posix.lstat(p).mode() & 0170000) == 0140000;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * ssh-agent, loaded with the keys, under a shell that stops it when its standard input closes: when whittle closes
     * it, or when whittle dies and the kernel does, so a killed whittle leaves no agent holding the user's keys.
     */
    private static Process startAgent(Path socket, List<Path> keys) throws IOException {
        Process agent = new ProcessBuilder(
                        "/bin/sh",
                        "-c",
                        "ssh-agent -D -a \"$0\" >/dev/null 2>&1 & a=$!; cat >/dev/null; kill $a; wait $a",
                        socket.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            for (int i = 0; i < 100 && !Files.exists(socket); i++) Thread.sleep(10);
            for (Path key : keys) {
                ProcessBuilder add = new ProcessBuilder("ssh-add", "-q", key.toString()).redirectErrorStream(true);
                add.environment().put("SSH_AUTH_SOCK", socket.toString());
                add.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                Process p = add.start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IOException("--ssh: cannot load the key " + key + " into an agent: " + out
                            + " (a key with a passphrase needs an agent: --ssh default with SSH_AUTH_SOCK set)");
                }
            }
            return agent;
        } catch (IOException | InterruptedException e) {
            agent.getOutputStream().close();
            Files.deleteIfExists(socket);
            if (e instanceof InterruptedException)
                throw new InterruptedIOException("interrupted while starting ssh-agent");
            throw (IOException) e;
        }
    }

    private static void relay(SocketChannel in, UnixDomainSocketAddress to) {
        try (in;
                SocketChannel out = SocketChannel.open(to)) {
            Thread back = Thread.ofVirtual().start(() -> copy(out, in));
            copy(in, out);
            back.join();
        } catch (IOException | InterruptedException e) {
            // the agent or the client went away: the connection ends
        }
    }

    private static void copy(SocketChannel from, SocketChannel to) {
        ByteBuffer b = ByteBuffer.allocate(16 << 10);
        try {
            while (from.read(b) >= 0) {
                b.flip();
                while (b.hasRemaining()) to.write(b);
                b.clear();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            // closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(socket);
        if (agent != null) {
            agent.getOutputStream().close(); // the shell stops the agent
            try {
                if (!agent.waitFor(5, TimeUnit.SECONDS)) agent.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Files.deleteIfExists(agentSocket);
        }
    }
}

package dev.lbaas.amphora.testing;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A UDP member for tests: answers every datagram to its sender with its name, a space and the
 * datagram's text, and remembers the texts it received.
 */
public final class NamedUdpBackend implements AutoCloseable {

    public final String name;
    public final List<String> received = new CopyOnWriteArrayList<>();
    private final DatagramSocket socket;
    private final Thread thread;

    public NamedUdpBackend(String name) throws IOException {
        this.name = name;
        socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        thread = new Thread(this::serve, "udp-backend-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    public int port() {
        return socket.getLocalPort();
    }

    private void serve() {
        byte[] buffer = new byte[65_535];
        while (!socket.isClosed()) {
            try {
                DatagramPacket datagram = new DatagramPacket(buffer, buffer.length);
                socket.receive(datagram);
                String text = new String(datagram.getData(), 0, datagram.getLength(), StandardCharsets.UTF_8);
                received.add(text);
                byte[] reply = (name + " " + text).getBytes(StandardCharsets.UTF_8);
                socket.send(new DatagramPacket(reply, reply.length, datagram.getSocketAddress()));
            } catch (IOException e) {
                // closed, or a sender that went away
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join(2_000);
    }
}

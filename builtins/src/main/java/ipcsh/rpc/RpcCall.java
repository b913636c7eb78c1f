package ipcsh.rpc;

import ipcsh.IpcException;

import java.util.function.Consumer;

/** One call waiting for its reply: done with a result or an error, then tells its listener once. */
public final class RpcCall {
    final long id;
    final String method;
    final String verb;
    boolean done;
    Object result;
    IpcException error;
    /** Told on the interpreter thread when the reply (or the peer's end) comes; null for a blocking call. */
    Consumer<RpcCall> listener;

    RpcCall(long id, String method, String verb) {
        this.id = id;
        this.method = method;
        this.verb = verb;
    }

    public Object result() {
        return result;
    }

    public IpcException error() {
        return error;
    }

    void succeed(Object r) {
        if (done) return;
        done = true;
        result = r;
        if (listener != null) listener.accept(this);
    }

    void fail(IpcException e) {
        if (done) return;
        done = true;
        error = e;
        if (listener != null) listener.accept(this);
    }
}

package ipcsh;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one error type the builtins raise. Its message is the one line a user sees;
 * {@link #data()} carries the fields scripts branch on (ex-data in Clojure, properties in JS).
 */
public class IpcException extends RuntimeException {
    private final Map<String, Object> data;

    public IpcException(String message) {
        this(message, Map.of(), null);
    }

    public IpcException(String message, Map<String, Object> data) {
        this(message, data, null);
    }

    public IpcException(String message, Map<String, Object> data, Throwable cause) {
        super(message, cause);
        this.data = new LinkedHashMap<>(data);
    }

    public Map<String, Object> data() {
        return data;
    }
}

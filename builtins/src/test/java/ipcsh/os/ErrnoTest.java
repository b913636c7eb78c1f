package ipcsh.os;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ErrnoTest {
    /** A removed System V queue or an empty one under IPC_NOWAIT: the message names the errno, not "errno 43". */
    @Test
    void systemVErrorsAreNamed() {
        String said = new OsException("msgrcv", "id 7", 43).getMessage();
        assertTrue(said.endsWith("(EIDRM)"), said);
        assertEquals("ENOMSG", new OsException("msgrcv", "id 7", 42).errnoName());
    }

    /** Every errno the code refers to by constant has its name in the table, under that constant's value. */
    @Test
    void everyConstantHasItsName() throws IllegalAccessException {
        int seen = 0;
        for (Field f : Errno.class.getFields()) {
            if (f.getType() != int.class || !Modifier.isStatic(f.getModifiers())) continue;
            assertEquals(f.getName(), Errno.name(f.getInt(null)), "Errno." + f.getName());
            seen++;
        }
        assertTrue(seen > 40, "constants seen: " + seen);
    }
}

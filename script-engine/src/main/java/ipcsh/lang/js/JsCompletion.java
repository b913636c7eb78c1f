package ipcsh.lang.js;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The names the REPL's Tab offers in JavaScript from the live context: the session's globals
 * (its const/let/var/function names too) and the members of what a chain of names (a.b.c)
 * holds now. On the interpreter thread, like every use of the context.
 */
final class JsCompletion {
    /** Only names and dots are looked up: a call or an index in the text could run user code. */
    private static final Pattern NAME_CHAIN = Pattern.compile("[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)*");
    private final Context context;
    private final Value isChannel, memberNames, globalNames;

    JsCompletion(Context context, Value helpers) {
        this.context = context;
        this.isChannel = helpers.getMember("isChannel");
        this.memberNames = helpers.getMember("memberNames");
        this.globalNames = helpers.getMember("globalNames");
    }

    List<String> globals() {
        TreeSet<String> names = new TreeSet<>(context.getBindings("js").getMemberKeys()); // top-level const and let too
        names.addAll(strings(globalNames.execute()));
        return new ArrayList<>(names);
    }

    Js.Members membersOf(String chain) {
        if (!NAME_CHAIN.matcher(chain).matches()) return null;
        try {
            Value v = context.eval(Source.newBuilder("js", chain, "completion").internal(true).buildLiteral());
            return new Js.Members(isChannel.execute(v).asBoolean(), strings(memberNames.execute(v)));
        } catch (PolyglotException e) {
            return null; // not defined, or a getter threw: nothing to offer
        }
    }

    private static List<String> strings(Value array) {
        List<String> out = new ArrayList<>((int) array.getArraySize());
        for (long i = 0; i < array.getArraySize(); i++) out.add(array.getArrayElement(i).asString());
        return out;
    }
}

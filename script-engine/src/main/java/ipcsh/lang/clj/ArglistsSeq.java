package ipcsh.lang.clj;

import clojure.lang.ASeq;
import clojure.lang.IPersistentMap;
import clojure.lang.ISeq;
import clojure.lang.Keyword;
import clojure.lang.Obj;
import clojure.lang.PersistentArrayMap;
import clojure.lang.PersistentVector;
import clojure.lang.RT;
import clojure.lang.Symbol;
import ipcsh.registry.Arglists;

import java.util.ArrayList;
import java.util.List;

/**
 * A builtin's :arglists, made from the registry's arglists data when first looked at (the
 * compiler looks, for a call's return tag), so start-up makes none of the ~200 forms. A seq
 * that prints and compares as the list read from the text does; never empty, as every builtin
 * has an arity.
 */
final class ArglistsSeq extends ASeq {
    private final Arglists arglists;
    private volatile ISeq forms;

    ArglistsSeq(Arglists arglists) {
        this.arglists = arglists;
    }

    private ArglistsSeq(IPersistentMap meta, Arglists arglists) {
        super(meta);
        this.arglists = arglists;
    }

    private ISeq forms() {
        ISeq s = forms;
        if (s == null) {
            List<Object> vectors = new ArrayList<>();
            for (Arglists.Arity a : arglists.arities()) vectors.add(vector(a.params()));
            forms = s = RT.seq(vectors);
        }
        return s;
    }

    private static Object form(Arglists.Param p) {
        return switch (p) {
            case Arglists.Name n -> n.text().startsWith(":") ? Keyword.intern(n.text().substring(1)) : Symbol.intern(n.text());
            case Arglists.Vector v -> vector(v.items());
            case Arglists.MapOf m -> PersistentArrayMap.createAsIfByAssoc(m.items().stream().map(ArglistsSeq::form).toArray());
        };
    }

    private static PersistentVector vector(List<Arglists.Param> params) {
        return PersistentVector.create(params.stream().map(ArglistsSeq::form).toList());
    }

    @Override
    public Object first() {
        return forms().first();
    }

    @Override
    public ISeq next() {
        return forms().next();
    }

    @Override
    public Obj withMeta(IPersistentMap meta) {
        return new ArglistsSeq(meta, arglists);
    }
}

/*
 * l_xml: the mbms.xml Lua module — XML text from peers to plain Lua tables, and tables to text.
 *
 *   xml.parse(text [, {max_bytes=, max_depth=, max_attrs=}])
 *                                                -> node | nil, "line L col C: message"
 *   xml.build(node [, {indent=true}])            -> text (with the <?xml ...?> declaration)
 *   xml.find(node, name [, ns])                  -> first descendant element | nil
 *   xml.find_all(node, name [, ns])              -> array of descendant elements
 *
 * A node is a plain table:
 *   { name = "mskRequest", ns = "urn:..." | nil, prefix = "p" | nil,
 *     attrs = { {name = "keyDomainId", ns = nil, value = "00f110"}, ... },   -- document order
 *     attr = { keyDomainId = "00f110", ... },   -- unqualified attributes by local name
 *     children = { node, ... },                 -- elements only
 *     text = "direct text, concatenated and trimmed" }
 * build takes the same shape: attrs wins over attr when both are given (attr keys are written
 * sorted; to edit a parsed node through attr, set its attrs to nil), children, text and prefix
 * are optional, values may be integers, and text comes before the children. find and find_all search below node (not node itself) depth first in
 * document order; a given ns must match ("" matches no namespace).
 *
 * As in liolib, misuse raises (naming the path, as "node.children[2].name: missing"), and text
 * that is not acceptable XML returns nil, message. Trees live in a box userdata while Lua runs,
 * so a raise never leaks them.
 */
#include <lauxlib.h>
#include <lua.h>

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "xml.h"
#include "lua_env.h"

#define BOX_MT		"mbms.xml.box"
#define PATH_CAP	512

int	luaopen_mbms_xml(lua_State *L);

/* The owner of C memory while Lua code that may raise runs (STYLE.md 8). */
struct box {
	struct xml_node *tree;
	struct bld out;
};

/* Where in the argument a problem is, as Lua would spell it: node.children[2].attrs[1]. */
struct path {
	char s[PATH_CAP];
	size_t len;
};

static struct box *
newbox(lua_State *L)
{
	struct box *b = lua_newuserdatauv(L, sizeof(*b), 0);

	b->tree = NULL;
	bld_init(&b->out);
	luaL_setmetatable(L, BOX_MT);
	return b;
}

/* The one release, for __gc, __close and the normal path; harmless twice. */
static void
release(struct box *b)
{
	xml_free(b->tree);
	b->tree = NULL;
	bld_free(&b->out);
}

static int
mt_gc(lua_State *L)
{
	release(luaL_checkudata(L, 1, BOX_MT));
	return 0;
}

static size_t	path_add(struct path *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* Appends a segment; a path too long to show ends in "..." and stops growing. */
static size_t
path_add(struct path *p, const char *fmt, ...)
{
	size_t old = p->len;
	va_list ap;
	int n;

	if (p->len + 4 >= sizeof(p->s))
		return old;
	va_start(ap, fmt);
	n = vsnprintf(p->s + p->len, sizeof(p->s) - p->len - 4, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(p->s) - p->len - 4) {
		memcpy(p->s + old, "...", 4);
		p->len = sizeof(p->s) - 1;	/* full: later segments are dropped */
	} else
		p->len += (size_t)n;
	return old;
}

static void
path_cut(struct path *p, size_t len)
{
	p->len = len;
	p->s[len] = '\0';
}

static void
path_init(struct path *p, const char *root)
{
	p->len = 0;
	p->s[0] = '\0';
	path_add(p, "%s", root);
}

/*
 * Raises "path: msg", or "path.field: detail" when the message from xml.c starts with the field
 * it is about, so that every complaint reads the same way.
 */
static int
raise_at(lua_State *L, const struct path *p, const char *msg)
{
	static const char *const fields[] = { "name: ", "ns: ", "prefix: ", "value: ", "text: " };
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strncmp(msg, fields[i], strlen(fields[i])) == 0)
			return luaL_error(L, "%s.%s", p->s, msg);
	return luaL_error(L, "%s: %s", p->s, msg);
}

static int
raise_field(lua_State *L, const struct path *p, const char *field, const char *what)
{
	return luaL_error(L, "%s.%s: %s", p->s, field, what);
}

/*
 * Reads field k of the table at idx as an optional (or required) string, integers allowed when
 * ints is set; the value stays on the stack so that the pointer stays valid.
 */
static const char *
get_str(lua_State *L, int idx, const char *k, int required, int ints, size_t *len,
    const struct path *p)
{
	int t = lua_getfield(L, idx, k);
	const char *s;
	size_t n;

	if (t == LUA_TNIL) {
		if (required)
			raise_field(L, p, k, "missing");
		if (len != NULL)
			*len = 0;
		return NULL;
	}
	if (t == LUA_TNUMBER && ints && lua_isinteger(L, -1)) {
		lua_pushfstring(L, "%I", (lua_Integer)lua_tointeger(L, -1));
		lua_replace(L, -2);
	} else if (t != LUA_TSTRING)
		luaL_error(L, "%s.%s: expected a string%s, got %s", p->s, k,
		    ints ? " or an integer" : "", luaL_typename(L, -1));
	s = lua_tolstring(L, -1, &n);
	if (len != NULL)
		*len = n;
	else if (strlen(s) != n)
		raise_field(L, p, k, "contains a NUL byte");
	return s;
}

/* Pushes field k of the table at idx when it is a table or nil; anything else raises. */
static int
get_table(lua_State *L, int idx, const char *k, const struct path *p)
{
	int t = lua_getfield(L, idx, k);

	if (t != LUA_TNIL && t != LUA_TTABLE)
		luaL_error(L, "%s.%s: expected a table, got %s", p->s, k, luaL_typename(L, -1));
	return t == LUA_TTABLE;
}

static void
need_table(lua_State *L, int idx, const struct path *p)
{
	if (!lua_istable(L, idx))
		luaL_error(L, "%s: expected a table, got %s", p->s, luaL_typename(L, idx));
}

static void
check_depth(lua_State *L, int depth, const struct path *p)
{
	if (depth > XML_DEPTH_MAX)
		luaL_error(L, "%s: elements nested deeper than %d (a cycle?)", p->s, XML_DEPTH_MAX);
	luaL_checkstack(L, 12, "xml: nesting too deep");
}

/* ---- parse --------------------------------------------------------------------------------- */

static void
set_str(lua_State *L, const char *k, const char *v)
{
	if (v == NULL)
		return;
	lua_pushstring(L, v);
	lua_setfield(L, -2, k);
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Sets node.text: the direct text children, concatenated and trimmed of XML white space. */
static void
set_text(lua_State *L, const struct xml_node *n)
{
	const char *s;
	size_t i, len, a, z;
	luaL_Buffer b;

	luaL_buffinit(L, &b);
	for (i = 0; i < n->nchildren; i++)
		if (n->children[i]->kind == XML_KIND_TEXT)
			luaL_addlstring(&b, n->children[i]->text, n->children[i]->text_len);
	luaL_pushresult(&b);
	s = lua_tolstring(L, -1, &len);
	for (a = 0; a < len && is_space(s[a]); a++)
		;
	for (z = len; z > a && is_space(s[z - 1]); z--)
		;
	lua_pushlstring(L, s + a, z - a);
	lua_setfield(L, -3, "text");
	lua_pop(L, 1);
}

static void
push_node(lua_State *L, const struct xml_node *n)
{
	size_t i, k;

	luaL_checkstack(L, 8, "xml: nesting too deep");
	lua_createtable(L, 0, 7);
	set_str(L, "name", n->name);
	set_str(L, "ns", n->ns);
	set_str(L, "prefix", n->prefix);
	lua_createtable(L, (int)n->nattrs, 0);		/* attrs */
	lua_createtable(L, 0, (int)n->nattrs);		/* attr */
	for (i = 0; i < n->nattrs; i++) {
		const struct xml_attr *a = &n->attrs[i];

		lua_createtable(L, 0, 3);
		set_str(L, "name", a->name);
		set_str(L, "ns", a->ns);
		lua_pushlstring(L, a->value, a->value_len);
		lua_setfield(L, -2, "value");
		lua_rawseti(L, -3, (lua_Integer)i + 1);
		if (a->ns == NULL) {
			lua_pushlstring(L, a->value, a->value_len);
			lua_setfield(L, -2, a->name);
		}
	}
	lua_setfield(L, -3, "attr");
	lua_setfield(L, -2, "attrs");
	lua_createtable(L, (int)n->nchildren, 0);
	for (i = 0, k = 0; i < n->nchildren; i++) {
		if (n->children[i]->kind != XML_KIND_ELEMENT)
			continue;
		push_node(L, n->children[i]);
		lua_rawseti(L, -2, (lua_Integer)++k);
	}
	lua_setfield(L, -2, "children");
	set_text(L, n);
}

static lua_Integer
opt_int(lua_State *L, int idx, const char *k, lua_Integer lo, lua_Integer hi)
{
	lua_Integer v;
	int isint;

	if (lua_getfield(L, idx, k) == LUA_TNIL) {
		lua_pop(L, 1);
		return 0;
	}
	v = lua_tointegerx(L, -1, &isint);
	if (!isint || lua_type(L, -1) != LUA_TNUMBER)
		luaL_error(L, "xml.parse: option '%s' must be an integer, got %s", k,
		    luaL_typename(L, -1));
	if (v < lo || v > hi)
		luaL_error(L, "xml.parse: option '%s' is %I, outside %I..%I", k, (lua_Integer)v,
		    (lua_Integer)lo, (lua_Integer)hi);
	lua_pop(L, 1);
	return v;
}

/* Unknown option names raise: a misspelt limit must not silently become the default. */
static void
check_opts(lua_State *L, int idx, const char *fn, const char *const *known)
{
	size_t i;

	lua_pushnil(L);
	while (lua_next(L, idx) != 0) {
		const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;

		for (i = 0; k != NULL && known[i] != NULL; i++)
			if (strcmp(k, known[i]) == 0)
				break;
		if (k == NULL || known[i] == NULL)
			luaL_error(L, "%s: unknown option %s", fn,
			    k != NULL ? k : luaL_typename(L, -2));
		lua_pop(L, 1);
	}
}

static int
l_parse(lua_State *L)
{
	static const char *const known[] = { "max_bytes", "max_depth", "max_attrs", NULL };
	struct xml_limits lim = { 0, 0, 0 };
	size_t len;
	const char *text = luaL_checklstring(L, 1, &len);
	struct box *b;
	struct err e;

	if (!lua_isnoneornil(L, 2)) {
		luaL_checktype(L, 2, LUA_TTABLE);
		check_opts(L, 2, "xml.parse", known);
		lim.max_bytes = (size_t)opt_int(L, 2, "max_bytes", 1, LUA_MAXINTEGER);
		lim.max_depth = (int)opt_int(L, 2, "max_depth", 1, XML_DEPTH_MAX);
		lim.max_attrs = (int)opt_int(L, 2, "max_attrs", 1, INT_MAX);
	}
	b = newbox(L);
	if ((b->tree = xml_parse(text, len, &lim, &e)) == NULL) {
		luaL_pushfail(L);
		lua_pushstring(L, e.msg);
		return 2;
	}
	push_node(L, b->tree);
	release(b);
	return 1;
}

/* ---- build --------------------------------------------------------------------------------- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The attr map, written in sorted key order so that the text does not depend on hashing. */
static void
attrs_from_map(lua_State *L, int map, struct xml_node *el, struct path *p)
{
	const char **keys;
	size_t n = 0, i, len, klen, mark;
	const char *v;
	struct err e;

	lua_pushnil(L);
	while (lua_next(L, map) != 0) {
		if (lua_type(L, -2) != LUA_TSTRING)
			luaL_error(L, "%s.attr: keys must be strings, got %s", p->s,
			    luaL_typename(L, -2));
		n++;
		lua_pop(L, 1);
	}
	/* Userdata, not malloc: the array must not leak if a later step raises. */
	keys = lua_newuserdatauv(L, n ? n * sizeof(*keys) : 1, 0);
	i = 0;
	lua_pushnil(L);
	while (lua_next(L, map) != 0) {
		keys[i] = lua_tolstring(L, -2, &klen);	/* anchored by the map */
		if (strlen(keys[i]) != klen)
			luaL_error(L, "%s.attr: a key contains a NUL byte", p->s);
		i++;
		lua_pop(L, 1);
	}
	qsort(keys, n, sizeof(*keys), cmp_str);
	for (i = 0; i < n; i++) {
		mark = path_add(p, ".attr.%s", keys[i]);
		lua_pushstring(L, keys[i]);
		lua_rawget(L, map);
		if (lua_type(L, -1) == LUA_TNUMBER && lua_isinteger(L, -1)) {
			lua_pushfstring(L, "%I", (lua_Integer)lua_tointeger(L, -1));
			lua_replace(L, -2);
		} else if (lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "%s: expected a string or an integer, got %s", p->s,
			    luaL_typename(L, -1));
		v = lua_tolstring(L, -1, &len);
		if (xml_attr_add(el, keys[i], NULL, v, len, &e) == -1)
			raise_at(L, p, e.msg);
		lua_pop(L, 1);
		path_cut(p, mark);
	}
	lua_pop(L, 1);
}

static void
attrs_from_list(lua_State *L, int list, struct xml_node *el, struct path *p)
{
	lua_Integer i, n = luaL_len(L, list);
	const char *name, *ns, *v;
	size_t len, mark;
	struct err e;
	int top;

	for (i = 1; i <= n; i++) {
		top = lua_gettop(L);
		mark = path_add(p, ".attrs[%lld]", (long long)i);
		lua_geti(L, list, i);
		need_table(L, -1, p);
		name = get_str(L, top + 1, "name", 1, 0, NULL, p);
		ns = get_str(L, top + 1, "ns", 0, 0, NULL, p);
		v = get_str(L, top + 1, "value", 1, 1, &len, p);
		if (xml_attr_add(el, name, ns, v, len, &e) == -1)
			raise_at(L, p, e.msg);
		lua_settop(L, top);
		path_cut(p, mark);
	}
}

/* Adds the element described by the table at idx below parent (or as the box's root). */
static void
from_lua(lua_State *L, int idx, struct xml_node *parent, struct box *b, struct path *p,
    int depth)
{
	const char *name, *ns, *prefix, *text;
	lua_Integer i, n;
	struct xml_node *el;
	size_t len, mark;
	struct err e;
	int top = lua_gettop(L);

	check_depth(L, depth, p);
	need_table(L, idx, p);
	name = get_str(L, idx, "name", 1, 0, NULL, p);
	ns = get_str(L, idx, "ns", 0, 0, NULL, p);
	prefix = get_str(L, idx, "prefix", 0, 0, NULL, p);
	if (parent == NULL)
		el = b->tree = xml_element_new(name, ns, prefix, &e);
	else
		el = xml_element_add(parent, name, ns, prefix, &e);
	if (el == NULL)
		raise_at(L, p, e.msg);
	if (get_table(L, idx, "attrs", p))
		attrs_from_list(L, lua_gettop(L), el, p);
	else if (get_table(L, idx, "attr", p))
		attrs_from_map(L, lua_gettop(L), el, p);
	text = get_str(L, idx, "text", 0, 1, &len, p);
	if (text != NULL && xml_text_add(el, text, len, &e) == -1)
		raise_at(L, p, e.msg);
	if (get_table(L, idx, "children", p)) {
		int kids = lua_gettop(L);

		n = luaL_len(L, kids);
		for (i = 1; i <= n; i++) {
			mark = path_add(p, ".children[%lld]", (long long)i);
			lua_geti(L, kids, i);
			from_lua(L, lua_gettop(L), el, b, p, depth + 1);
			lua_pop(L, 1);
			path_cut(p, mark);
		}
	}
	lua_settop(L, top);
}

static int
l_build(lua_State *L)
{
	static const char *const known[] = { "indent", NULL };
	int flags = XML_BUILD_INDENT;
	struct path p;
	struct box *b;
	struct err e;

	luaL_checktype(L, 1, LUA_TTABLE);
	if (!lua_isnoneornil(L, 2)) {
		luaL_checktype(L, 2, LUA_TTABLE);
		check_opts(L, 2, "xml.build", known);
		if (lua_getfield(L, 2, "indent") != LUA_TNIL && !lua_toboolean(L, -1))
			flags = 0;
		lua_pop(L, 1);
	}
	lua_settop(L, 2);
	b = newbox(L);
	path_init(&p, "node");
	from_lua(L, 1, NULL, b, &p, 1);
	if (xml_build(b->tree, flags, &b->out, &e) == -1)
		return luaL_error(L, "xml.build: %s", e.msg);
	lua_pushlstring(L, (const char *)b->out.buf, b->out.len);
	release(b);
	return 1;
}

/* ---- find ---------------------------------------------------------------------------------- */

static int
name_matches(lua_State *L, int node, const char *name, const char *ns)
{
	int ok;

	lua_getfield(L, node, "name");
	ok = lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), name) == 0;
	lua_pop(L, 1);
	if (!ok || ns == NULL)
		return ok;
	lua_getfield(L, node, "ns");
	if (ns[0] == '\0')
		ok = lua_isnil(L, -1) || (lua_type(L, -1) == LUA_TSTRING &&
		    lua_rawlen(L, -1) == 0);
	else
		ok = lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), ns) == 0;
	lua_pop(L, 1);
	return ok;
}

/*
 * Walks the elements below the table at node. With all set, matches are appended to the array at
 * out (count in *k); otherwise the first match replaces the value at out and 1 is returned.
 */
static int
find_in(lua_State *L, int node, const char *name, const char *ns, int all, int out,
    lua_Integer *k, struct path *p, int depth)
{
	lua_Integer i, n;
	size_t mark;
	int top = lua_gettop(L), kids, child;

	check_depth(L, depth, p);
	need_table(L, node, p);
	if (!get_table(L, node, "children", p)) {
		lua_settop(L, top);
		return 0;
	}
	kids = lua_gettop(L);
	n = luaL_len(L, kids);
	for (i = 1; i <= n; i++) {
		mark = path_add(p, ".children[%lld]", (long long)i);
		lua_geti(L, kids, i);
		child = lua_gettop(L);
		need_table(L, child, p);
		if (name_matches(L, child, name, ns)) {
			lua_pushvalue(L, child);
			if (!all) {
				lua_replace(L, out);
				lua_settop(L, top);
				return 1;
			}
			lua_rawseti(L, out, ++*k);
		}
		if (find_in(L, child, name, ns, all, out, k, p, depth + 1)) {
			lua_settop(L, top);
			return 1;
		}
		lua_settop(L, kids);
		path_cut(p, mark);
	}
	lua_settop(L, top);
	return 0;
}

static int
find_common(lua_State *L, int all)
{
	const char *name, *ns;
	lua_Integer k = 0;
	struct path p;

	luaL_checktype(L, 1, LUA_TTABLE);
	name = luaL_checkstring(L, 2);
	ns = luaL_optstring(L, 3, NULL);
	lua_settop(L, 3);
	if (all)
		lua_newtable(L);
	else
		lua_pushnil(L);
	path_init(&p, "node");
	find_in(L, 1, name, ns, all, 4, &k, &p, 1);
	lua_settop(L, 4);
	return 1;
}

static int
l_find(lua_State *L)
{
	return find_common(L, 0);
}

static int
l_find_all(lua_State *L)
{
	return find_common(L, 1);
}

static const luaL_Reg funcs[] = {
	{ "parse", l_parse },
	{ "build", l_build },
	{ "find", l_find },
	{ "find_all", l_find_all },
	{ NULL, NULL }
};

/* The box is internal and never handed to Lua code, so it has no methods. */
static const luaL_Reg meths[] = {
	{ NULL, NULL }
};

static const luaL_Reg metas[] = {
	{ "__index", NULL },		/* set to the method table by createmeta */
	{ "__gc", mt_gc },
	{ "__close", mt_gc },
	{ NULL, NULL }
};

static void
createmeta(lua_State *L)
{
	lua_env_createmeta(L, BOX_MT, metas, meths);
}

int
luaopen_mbms_xml(lua_State *L)
{
	luaL_newlib(L, funcs);
	createmeta(L);
	return 1;
}

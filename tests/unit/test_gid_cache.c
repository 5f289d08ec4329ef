/*
 * test_gid_cache.c — manage-gids' group lookups over a fake user
 * database: a user in 20 groups gets all 20 (or the first of them when
 * the room is smaller), unknown users get none, results are cached for
 * their TTL, and a failing name service is not cached.
 */
#include "config.h"

#include <CUnit/Basic.h>
#include <errno.h>
#include <glib.h>
#include <stdbool.h>
#include <string.h>

#include "cunit_main.h"
#include "gid_cache.h"

#define USER_UID 2000
#define USER_GID 2000
#define USER_GROUPS 20

static int pw_calls, gl_calls;
static bool nss_down;

static int fake_getpwuid_r(uid_t uid, struct passwd *pwd, char *buf, size_t buflen,
			   struct passwd **result)
{
	pw_calls++;
	*result = NULL;
	if (nss_down)
		return EIO;
	if (uid != USER_UID)
		return 0; /* not found */
	if (buflen < 8)
		return ERANGE;
	memset(pwd, 0, sizeof(*pwd));
	strcpy(buf, "u20");
	pwd->pw_name = buf;
	pwd->pw_uid = uid;
	pwd->pw_gid = USER_GID;
	*result = pwd;
	return 0;
}

/* getgrouplist's contract: -1 and the count needed when there is no
 * room; the primary group is in the list. */
static int fake_getgrouplist(const char *user, gid_t group, gid_t *groups, int *ngroups)
{
	int room = *ngroups;

	gl_calls++;
	CU_ASSERT_STRING_EQUAL(user, "u20");
	CU_ASSERT_EQUAL(group, USER_GID);
	*ngroups = USER_GROUPS;
	if (room < USER_GROUPS)
		return -1;
	groups[0] = group;
	for (int i = 1; i < USER_GROUPS; i++)
		groups[i] = 3000 + i;
	return USER_GROUPS;
}

static const struct gid_cache_ops fake_ops = {
	.getpwuid_r = fake_getpwuid_r,
	.getgrouplist = fake_getgrouplist,
};

static void test_twenty_groups(void)
{
	struct gid_cache_config cfg = { .ttl_ms = 200, .ops = &fake_ops };
	struct gid_cache *gc = gid_cache_new(&cfg);
	gid_t groups[128];
	unsigned n, total;

	pw_calls = gl_calls = 0;
	nss_down = false;
	CU_ASSERT_EQUAL(gid_cache_get(gc, USER_UID, groups, 128, &n, &total), 0);
	CU_ASSERT_EQUAL(n, USER_GROUPS);
	CU_ASSERT_EQUAL(total, USER_GROUPS);
	CU_ASSERT_EQUAL(groups[0], USER_GID);
	CU_ASSERT_EQUAL(groups[19], 3019);
	/* cached */
	CU_ASSERT_EQUAL(gid_cache_get(gc, USER_UID, groups, 128, &n, &total), 0);
	CU_ASSERT_EQUAL(n, USER_GROUPS);
	CU_ASSERT_EQUAL(pw_calls, 1);
	/* less room: the first ones, and how many there are */
	CU_ASSERT_EQUAL(gid_cache_get(gc, USER_UID, groups, 16, &n, &total), 0);
	CU_ASSERT_EQUAL(n, 16);
	CU_ASSERT_EQUAL(total, USER_GROUPS);
	CU_ASSERT_EQUAL(pw_calls, 1);
	/* expired: looked up again */
	g_usleep(250 * 1000);
	CU_ASSERT_EQUAL(gid_cache_get(gc, USER_UID, groups, 128, &n, &total), 0);
	CU_ASSERT_EQUAL(n, USER_GROUPS);
	CU_ASSERT_EQUAL(pw_calls, 2);
	gid_cache_free(gc);
}

static void test_unknown_and_failing(void)
{
	struct gid_cache_config cfg = { .ops = &fake_ops };
	struct gid_cache *gc = gid_cache_new(&cfg);
	struct gid_cache_stats st;
	gid_t groups[16];
	unsigned n = 99, total = 99;

	pw_calls = gl_calls = 0;
	nss_down = false;
	CU_ASSERT_EQUAL(gid_cache_get(gc, 4242, groups, 16, &n, &total), 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(total, 0);
	CU_ASSERT_EQUAL(gid_cache_get(gc, 4242, groups, 16, &n, NULL), 0);
	CU_ASSERT_EQUAL(pw_calls, 1); /* "no such user" is cached */
	CU_ASSERT_EQUAL(gl_calls, 0);

	nss_down = true;
	CU_ASSERT_EQUAL(gid_cache_get(gc, USER_UID, groups, 16, &n, NULL), 0);
	CU_ASSERT_EQUAL(n, 0);
	nss_down = false;
	CU_ASSERT_EQUAL(gid_cache_get(gc, USER_UID, groups, 16, &n, NULL), 0);
	CU_ASSERT_EQUAL(n, 16); /* the failure was not cached */
	gid_cache_stats(gc, &st);
	CU_ASSERT_EQUAL(st.entries, 2);
	CU_ASSERT_EQUAL(st.hits, 1);
	gid_cache_free(gc);
}

int main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("gid_cache", NULL, NULL);
	CU_add_test(s, "a user in 20 groups, cached with a TTL", test_twenty_groups);
	CU_add_test(s, "unknown users, a failing name service", test_unknown_and_failing);
	return cunit_run();
}

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { branchNameProblem, maskRepoUrl, repoUrlProblem } from '../src/repo-links.js';

describe('repository URLs and branch names', () => {
  test('the password, or a lone token in the user part, is masked for showing', () => {
    assert.equal(maskRepoUrl('https://deploy:tok3n@git.example.com/team/app.git'), 'https://deploy:*****@git.example.com/team/app.git');
    assert.equal(maskRepoUrl('https://ghp_tok3n@git.example.com/app.git'), 'https://*****@git.example.com/app.git');
    assert.equal(maskRepoUrl('http://127.0.0.1:9418/app.git'), 'http://127.0.0.1:9418/app.git');
    assert.equal(maskRepoUrl('nonsense tok3n'), '(not a URL)');
  });

  test('only http(s) URLs with a host and no fragment can be linked; the problem never repeats the URL', () => {
    assert.equal(repoUrlProblem('https://git.example.com/app.git'), null);
    assert.equal(repoUrlProblem('http://u:p@127.0.0.1:8080/app.git'), null);
    for (const [url, why] of [['git@github.com:team/app.git', /not a URL/], ['ssh://git.example.com/app.git', /only http and https/],
      ['file:///srv/app.git', /only http and https/], ['https://git.example.com/app.git#main', /fragment/]] as const) {
      const problem = repoUrlProblem(url);
      assert.match(problem ?? '', why, url);
      assert.ok(!problem!.includes('example.com'), 'the URL is not repeated');
    }
  });

  test('branch names follow git\'s rules for refs', () => {
    for (const ok of ['main', 'release/v2', 'feature-x_1', 'v1.2']) assert.equal(branchNameProblem(ok), null, ok);
    for (const bad of ['', 'a..b', 'a b', 'a~1', 'a^', 'a:b', 'a?', 'a*', 'a[', 'a\\b', '-x', '/x', 'x/', 'x.', 'x.lock', '.x', 'a/.b', 'a@{1}', '@', 'refs/heads/main', 'a//b']) {
      assert.notEqual(branchNameProblem(bad), null, JSON.stringify(bad));
    }
  });
});

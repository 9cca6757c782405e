// tagger's page (page.html), improved: without this script the form posts
// and the server answers the whole page, which works as well. With it, the
// form is posted with fetch and the report (or the error) of the answer
// replaces #result without a reload; focus moves to it and a live region
// says so. Ctrl+Enter (Cmd+Enter) checks, Clear empties the form, a file
// may be dropped on the text box and the chosen file's name and size show.
(function () {
  'use strict';
  var form = document.getElementById('check-form');
  if (!form || !window.fetch || !window.FormData || !window.DOMParser) {
    return; // the form posts as it does without a script
  }
  var text = document.getElementById('text');
  var file = document.getElementById('file');
  var info = document.getElementById('file-info');
  var status = document.getElementById('status');
  var clear = document.getElementById('clear');
  var maxBytes = Number(form.dataset.maxBytes) || Infinity;
  var busy = false;

  // What works only with the script shows only with it.
  clear.hidden = false;
  document.querySelectorAll('.js-only').forEach(function (el) { el.hidden = false; });

  function size(n) {
    if (n < 1024) { return n + ' bytes'; }
    if (n < 1024 * 1024) { return (n / 1024).toFixed(1) + ' KB'; }
    return (n / (1024 * 1024)).toFixed(1) + ' MB';
  }

  function chosen() { return file.files && file.files.length ? file.files[0] : null; }

  function showFile() {
    var f = chosen();
    if (!f) { info.textContent = ''; return; }
    info.textContent = 'Chosen: ' + f.name + ', ' + size(f.size) + '.' +
      (text.value.trim() ? ' Clear the pasted text to check the file.' : '');
  }

  // show puts nodes (a report or an alert) in #result, moves focus to its
  // heading and says what happened in the live region.
  function show(nodes, said) {
    var result = document.getElementById('result');
    result.replaceChildren.apply(result, nodes);
    var target = result.querySelector('[role=alert]') || result.querySelector('.tagger-story h2');
    if (target) {
      if (!target.hasAttribute('tabindex')) { target.setAttribute('tabindex', '-1'); }
      target.focus();
    }
    status.textContent = said;
  }

  function alertOf(msg) {
    var box = document.createElement('div');
    box.className = 'alert';
    box.setAttribute('role', 'alert');
    var h = document.createElement('h2');
    var icon = document.createElement('span');
    icon.className = 'icon';
    icon.setAttribute('aria-hidden', 'true');
    icon.textContent = '✗';
    h.append(icon, ' Could not check the story');
    var p = document.createElement('p');
    p.textContent = msg;
    box.append(h, p);
    return box;
  }

  function check() {
    if (busy) { return; }
    var f = chosen();
    if (f && f.size > maxBytes) {
      show([alertOf('the file is over the ' + size(maxBytes) + ' limit; choose a smaller story')], 'Could not check the story.');
      return;
    }
    busy = true;
    form.setAttribute('aria-busy', 'true');
    status.textContent = 'Checking…';
    fetch(form.action, { method: 'POST', body: new FormData(form), headers: { Accept: 'text/html' } })
      .then(function (resp) {
        return resp.text().then(function (body) {
          var doc = new DOMParser().parseFromString(body, 'text/html');
          var fresh = doc.getElementById('result');
          if (!fresh) {
            throw new Error('the server answered ' + resp.status + ' ' + resp.statusText);
          }
          document.title = doc.title;
          var verdict = fresh.querySelector('.verdict-text');
          show(Array.from(fresh.childNodes).map(function (n) { return document.adoptNode(n); }),
            verdict ? 'Report ready. ' + verdict.textContent : 'Could not check the story.');
        });
      })
      .catch(function (err) {
        show([alertOf('the check did not reach the server or its answer was cut off (' + err.message + '); try again')],
          'Could not check the story.');
      })
      .finally(function () {
        busy = false;
        form.removeAttribute('aria-busy');
      });
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    check();
  });

  form.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      check();
    }
  });

  clear.addEventListener('click', function () {
    text.value = '';
    file.value = '';
    showFile();
    document.getElementById('result').replaceChildren();
    status.textContent = 'Cleared.';
    text.focus();
  });

  file.addEventListener('change', showFile);
  text.addEventListener('input', showFile);

  function hasFiles(e) {
    return e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types, 'Files') >= 0;
  }
  text.addEventListener('dragover', function (e) {
    if (!hasFiles(e)) { return; }
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    text.classList.add('dropping');
  });
  text.addEventListener('dragleave', function () { text.classList.remove('dropping'); });
  text.addEventListener('drop', function (e) {
    text.classList.remove('dropping');
    if (!hasFiles(e)) { return; }
    e.preventDefault();
    if (e.dataTransfer.files.length !== 1) {
      info.textContent = 'Drop one file at a time.';
      return;
    }
    file.files = e.dataTransfer.files;
    showFile();
  });
}());

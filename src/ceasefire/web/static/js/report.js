// The report and add-information forms: send with XMLHttpRequest to show upload progress.
// Without JavaScript (or if anything here fails) the forms post normally; this only enhances.
(function () {
  "use strict";

  function enhance(form) {
    var box = form.querySelector(".upload-progress");
    var bar = form.querySelector("progress");
    var percent = form.querySelector(".upload-percent");
    var failed = form.querySelector(".upload-failed");
    var button = form.querySelector("button[type=submit]");
    if (!box || !bar || !window.FormData || !window.XMLHttpRequest) {
      return;
    }
    form.addEventListener("submit", function (event) {
      var files = form.querySelector("input[type=file]");
      // Only worth it with files: a text-only form posts at once, normally.
      if (!files || !files.files || files.files.length === 0) {
        return;
      }
      event.preventDefault();
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          var value = Math.round((e.loaded / e.total) * 100);
          bar.value = value;
          if (percent) {
            percent.textContent = value + "%";
          }
        }
      });
      request.addEventListener("load", function () {
        // The server answers like it does to a normal post: a redirect (followed) or a page.
        if (request.responseURL && request.responseURL !== form.action && request.status < 400) {
          window.location.assign(request.responseURL);
          return;
        }
        // A page answered in place (the form again with its problems, or an error page): show it.
        var page = new DOMParser().parseFromString(request.responseText, "text/html");
        document.title = page.title;
        document.body.replaceWith(document.adoptNode(page.body));
        window.scrollTo(0, 0);
        start();
      });
      request.addEventListener("error", function () {
        box.hidden = false;
        if (failed) {
          failed.hidden = false;
        }
        button.disabled = false;
      });
      box.hidden = false;
      if (failed) {
        failed.hidden = true;
      }
      bar.value = 0;
      button.disabled = true;
      request.send(new FormData(form));
    });
  }

  function start() {
    var forms = document.querySelectorAll("form[data-upload-form]");
    for (var i = 0; i < forms.length; i += 1) {
      enhance(forms[i]);
    }
  }

  start();
})();

console.log("main ok");
